/**
 * The controls above the diagram: neurons and activation of each hidden layer, the output
 * layer's activation. One column per layer, lined up with the diagram's columns.
 */
import { HIDDEN_ACTIVATIONS, MAX_UNITS, OUTPUT_ACTIVATIONS, type HiddenLayer } from '../config.js';

export interface LayerChoice {
  hidden: HiddenLayer[];
  outputActivation: string;
}

function button(text: string, label: string, onClick: () => void, disabled: boolean): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.disabled = disabled;
  b.addEventListener('click', onClick);
  return b;
}

function select(label: string, options: readonly string[], value: string, onChange: (v: string) => void): HTMLLabelElement {
  const wrap = document.createElement('label');
  wrap.className = 'compact';
  const span = document.createElement('span');
  span.className = 'visually-hidden';
  span.textContent = label;
  const s = document.createElement('select');
  for (const o of options) s.add(new Option(o, o, false, o === value));
  s.addEventListener('change', () => onChange(s.value));
  wrap.append(span, s);
  return wrap;
}

/** Draws the editor for `choice`; `onChange` gets the edited choice. With `fixedShape`, only activations change. */
export function renderLayerEditor(
  container: HTMLElement,
  choice: LayerChoice,
  inputs: number,
  outputs: number,
  fixedShape: boolean,
  onChange: (next: LayerChoice) => void,
): void {
  const cols = choice.hidden.length + 2;
  container.style.gridTemplateColumns = `repeat(${cols}, minmax(0, 1fr))`;
  container.classList.toggle('many', cols >= 7);
  const columns: HTMLElement[] = [];

  const first = document.createElement('div');
  first.className = 'layer-col';
  first.textContent = `${inputs} input${inputs === 1 ? '' : 's'}`;
  columns.push(first);

  choice.hidden.forEach((layer, i) => {
    const col = document.createElement('div');
    col.className = 'layer-col';
    const set = (patch: Partial<HiddenLayer>) =>
      onChange({ ...choice, hidden: choice.hidden.map((l, j) => (j === i ? { ...l, ...patch } : l)) });
    const row = document.createElement('div');
    row.className = 'units';
    row.append(
      button('−', `Remove a neuron from hidden layer ${i + 1}`, () => set({ units: layer.units - 1 }), fixedShape || layer.units <= 1),
      button('+', `Add a neuron to hidden layer ${i + 1}`, () => set({ units: layer.units + 1 }), fixedShape || layer.units >= MAX_UNITS),
    );
    const count = document.createElement('span');
    count.textContent = `${layer.units} neuron${layer.units === 1 ? '' : 's'}`;
    const act = select(`Activation of hidden layer ${i + 1}`, HIDDEN_ACTIVATIONS, layer.activation, (v) => set({ activation: v }));
    col.append(row, count, act);
    columns.push(col);
  });

  const last = document.createElement('div');
  last.className = 'layer-col';
  const count = document.createElement('span');
  count.textContent = `${outputs} output${outputs === 1 ? '' : 's'}`;
  const act = select('Activation of the output layer', OUTPUT_ACTIVATIONS, choice.outputActivation, (v) =>
    onChange({ ...choice, outputActivation: v }),
  );
  last.append(count, act);
  columns.push(last);
  container.replaceChildren(...columns);
}
