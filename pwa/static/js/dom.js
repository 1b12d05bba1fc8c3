// Making an element with its attributes and children in one call, for the
// few parts of a page built by script (the PIN dialog, the PIN offer, the
// alias warning). `text` sets the text; everything else is an attribute.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}
