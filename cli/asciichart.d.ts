// Types for asciichart (the package ships none): the parts the CLI uses.
declare module 'asciichart' {
  export interface PlotConfig {
    /** Rows of the chart. */
    height?: number;
    min?: number;
    max?: number;
    offset?: number;
    padding?: string;
    /** One ANSI colour per series. */
    colors?: string[];
    /** Formats the labels of the y axis. */
    format?: (x: number, i: number) => string;
  }
  /** A line chart of one series, or several, as text. */
  export function plot(series: number[] | number[][], config?: PlotConfig): string;
  export const blue: string;
  export const green: string;
  export const yellow: string;
  export const reset: string;
}
