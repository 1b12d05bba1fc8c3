// The BVC band for a total, given the bands from the content file.
export function bandFor(bands, total) {
  const band = bands.find((b) => b.min <= total && total <= b.max);
  if (!band) throw new RangeError(`BVC total out of range: ${total}`);
  return band;
}
