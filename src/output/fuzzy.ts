// fuzzywuzzy's token_sort_ratio, which the official server uses for its "did you mean" hints: tokens
// lower-cased and sorted, then a Levenshtein ratio (substitution costs 2), scaled to 0–100.
function tokenSort(s: string): string {
  return s
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .sort()
    .join(' ');
}

function levenshtein2(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 2));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

export function tokenSortRatio(a: string, b: string): number {
  const x = tokenSort(a);
  const y = tokenSort(b);
  const total = x.length + y.length;
  if (total === 0) return 100;
  return Math.round((100 * (total - levenshtein2(x, y))) / total);
}
