/**
 * What the demo reports as it goes, shared by the single-database demo and its blue/green chapter
 * (demo-pair.ts), which demo.ts runs: declared apart so neither file imports the other.
 */
export interface DemoEvents {
  /** A chapter starts. */
  step(title: string): void;
  /** Detail lines of the chapter that just ran. */
  detail(lines: readonly string[]): void;
}
