/** .NET `TimeSpan.ToString()` of whole seconds, as quota messages show it: `hh:mm:ss`, `d.hh:mm:ss` past a day. */
export function timeSpanText(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const days = Math.floor(seconds / 86_400);
  const two = (n: number) => String(n).padStart(2, "0");
  const clock = `${two(Math.floor(seconds / 3600) % 24)}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  return days > 0 ? `${days}.${clock}` : clock;
}
