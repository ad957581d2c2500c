/** Small DOM helpers shared by the popup and the options page. */
export type State = "idle" | "busy" | "ok" | "error";

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

/** Show a message in a status element; `data-state` drives its colour (and tests). */
export function say(el: HTMLElement, state: State, text: string): void {
  el.dataset.state = state;
  el.textContent = text;
}
