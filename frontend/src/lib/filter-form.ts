import { debounce } from './dom.js';

export type FilterControl = HTMLInputElement | HTMLSelectElement;

/** The control named `name` in a filter form. */
export function control(form: HTMLFormElement, name: string): FilterControl {
  return form.elements.namedItem(name) as FilterControl;
}

/** The trimmed value of the control named `name`, or undefined when it is empty. */
export function valueOf(form: HTMLFormElement, name: string): string | undefined {
  return control(form, name).value.trim() || undefined;
}

/**
 * Applies a filter form as the user works it: the free-text field (id `typedId`) once typing
 * pauses for `typedDelayMs`, any other control when it changes, submit at once, and reset after
 * the controls have changed back ("reset" fires before they do).
 */
export function wireFilters(
  form: HTMLFormElement,
  { typedId, typedDelayMs }: { typedId: string; typedDelayMs: number },
  apply: () => void,
): void {
  const typed = debounce(apply, typedDelayMs);
  form.addEventListener('input', (event) => {
    if ((event.target as HTMLElement).id === typedId) typed();
  });
  form.addEventListener('change', (event) => {
    if ((event.target as HTMLElement).id !== typedId) apply();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
  form.addEventListener('reset', () => setTimeout(apply));
}
