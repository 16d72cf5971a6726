/**
 * Where the library says something the caller should know but that is not an error (it fell
 * back to a slower way and goes on): console.warn by default; Node's entry makes it a process
 * warning, the command line a line on stderr. Each message is said once per process.
 */

let handler: (message: string) => void = (message) => console.warn(`backprop: ${message}`);
const said = new Set<string>();

/** Sets where warnings go. */
export function setWarningHandler(f: (message: string) => void): void {
  handler = f;
}

/** Says `message`, unless it was said before. */
export function warnOnce(message: string): void {
  if (said.has(message)) return;
  said.add(message);
  handler(message);
}
