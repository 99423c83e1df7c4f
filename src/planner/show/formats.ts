// The formats `show` renders a plan in: their own module, so that the CLI lists them without loading the renderers.

/** The formats `show` renders a plan in. */
export const SHOW_FORMATS = ['text', 'markdown', 'mermaid', 'json', 'sql'] as const;
/** A format `show` renders a plan in. */
export type ShowFormat = (typeof SHOW_FORMATS)[number];
