import { css } from 'lit';

/**
 * The look every element shares. Colours meet WCAG AA contrast on white; status is never told by colour
 * alone (each status has its words and an icon).
 */
export const baseStyles = css`
  :host {
    --ink: #1b1f24;
    --muted: #4f5a66;
    --line: #d0d7de;
    --surface: #ffffff;
    --subtle: #f6f8fa;
    --accent: #0b5cad;
    --ok: #1a7f37;
    --blocked: #b3261e;
    --warning: #8a4b00;
    --focus: #0b5cad;
    color: var(--ink);
    font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
  }
  h1, h2, h3 { line-height: 1.25; margin: 0 0 0.5rem; }
  h1 { font-size: 1.5rem; }
  h2 { font-size: 1.15rem; }
  a { color: var(--accent); }
  :focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
  button {
    font: inherit;
    border-radius: 6px;
    border: 1px solid var(--line);
    background: var(--surface);
    color: var(--ink);
    padding: 0.35rem 0.9rem;
    cursor: pointer;
  }
  button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
  button:disabled { cursor: not-allowed; opacity: 0.7; }
  input[type='text'], input[type='search'] {
    font: inherit;
    padding: 0.35rem 0.5rem;
    border: 1px solid #6e7781;
    border-radius: 6px;
    min-width: 0;
  }
  input[aria-invalid='true'] { border-color: var(--blocked); }
  .muted { color: var(--muted); }
  .error { color: var(--blocked); }
  .visually-hidden {
    position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
    clip: rect(0 0 0 0); white-space: nowrap; border: 0;
  }
  .card { background: var(--surface); border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem; }
  .notice { border-left: 4px solid var(--accent); background: var(--subtle); padding: 0.5rem 0.75rem; margin: 0.5rem 0 1rem; }
  .notice.error { border-left-color: var(--blocked); color: var(--ink); }
`;

/** The embeddable pages (profile panel, number view): blocks of sections. */
export const panelStyles = css`
  :host { display: block; }
  section + section { margin-top: 2rem; }
`;

/** A modal `<dialog>` that asks for a confirmation: the reason dialog, and the erasure's. */
export const dialogStyles = css`
  dialog {
    border: 1px solid #d0d7de;
    border-radius: 10px;
    padding: 1.25rem 1.5rem;
    width: min(32rem, calc(100vw - 2rem));
    box-shadow: 0 12px 32px rgb(0 0 0 / 0.2);
    color: #1b1f24;
    font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
  }
  dialog::backdrop { background: rgb(15 20 25 / 0.45); }
  h2 { font-size: 1.15rem; margin: 0 0 0.5rem; }
  label { display: block; font-weight: 600; margin: 1rem 0 0.25rem; }
  input { font: inherit; width: 100%; box-sizing: border-box; padding: 0.45rem 0.5rem; border: 1px solid #6e7781; border-radius: 6px; }
  input[aria-invalid='true'] { border-color: #b3261e; }
  .hint { color: #4f5a66; font-size: 0.9rem; margin: 0.25rem 0 0; }
  .error { color: #b3261e; margin: 0.5rem 0 0; }
  .buttons { display: flex; gap: 0.5rem; justify-content: flex-end; margin-top: 1.25rem; }
  button { font: inherit; border-radius: 6px; border: 1px solid #d0d7de; background: #fff; color: #1b1f24; padding: 0.4rem 1rem; cursor: pointer; }
  button.primary { background: #0b5cad; border-color: #0b5cad; color: #fff; }
  button.primary.block, button.primary.danger { background: #b3261e; border-color: #b3261e; }
  button:disabled { cursor: progress; opacity: 0.7; }
  :focus-visible { outline: 3px solid #0b5cad; outline-offset: 2px; }
  ul.deleted { margin: 0.5rem 0; padding-left: 1.25rem; }
`;
