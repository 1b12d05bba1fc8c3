// Search across the field kit with no network: the index is in the page
// (built from the content file by search.py), and the matching is the
// server's: every word of the query somewhere in an entry, titles first.
const form = document.getElementById("search-form");
if (form) {
  const index = JSON.parse(document.getElementById("search-index").textContent);
  const input = form.elements.q;
  const list = document.getElementById("search-results");
  const status = document.getElementById("search-status");
  const MAX_RESULTS = 30;

  function find(query) {
    const words = query.toLocaleLowerCase("da").split(/\s+/).filter(Boolean);
    if (!words.length) return [];
    const hits = [];
    for (const entry of index) {
      const haystack = [entry.title, ...entry.texts].join(" ").toLocaleLowerCase("da");
      if (!words.every((w) => haystack.includes(w))) continue;
      const inTitle = words.some((w) => entry.title.toLocaleLowerCase("da").includes(w));
      hits.push({ entry, inTitle });
    }
    // A stable sort keeps the index's order within each group, as sorted() does.
    hits.sort((a, b) => Number(b.inTitle) - Number(a.inTitle));
    return hits.slice(0, MAX_RESULTS).map(({ entry }) => {
      const texts = entry.texts.length ? entry.texts : [""];
      const snippet = texts.find((t) => words.some((w) => t.toLocaleLowerCase("da").includes(w))) ?? texts[0];
      return { ...entry, snippet };
    });
  }

  function show(query) {
    const results = find(query);
    const items = results.map((r) => {
      const li = document.createElement("li");
      li.className = "result-item";
      const a = document.createElement("a");
      a.href = r.url;
      a.textContent = r.title;
      const p = document.createElement("p");
      const cite = document.createElement("span");
      cite.className = `cite cite-${r.kind}`;
      cite.textContent = r.source;
      p.append(`${r.snippet} `, cite);
      li.append(a, p);
      return li;
    });
    list.replaceChildren(...items);
    status.textContent = query.trim()
      ? `${results.length} ${results.length === 1 ? "resultat" : "resultater"} for »${query.trim()}«.` : "";
  }

  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    // A short pause, so a screen reader is not told a count after every letter.
    timer = setTimeout(() => {
      show(input.value);
      const url = new URL(location.href);
      if (input.value.trim()) url.searchParams.set("q", input.value); else url.searchParams.delete("q");
      history.replaceState(null, "", url);
    }, 250);
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearTimeout(timer);
    show(input.value);
  });
  // The precached copy of this page is the empty one: answer the query in the URL here.
  const q = new URLSearchParams(location.search).get("q") || "";
  if (q && input.value !== q) input.value = q;
  if (q) show(q);
}
