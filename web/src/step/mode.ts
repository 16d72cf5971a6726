/** The page's step-through mode: its button, its keys, and a new plan for each pass the worker sends. */
import { penaltyOf, type PlaygroundConfig } from '../config.js';
import { byId } from '../controls.js';
import type { TraceView } from '../session.js';
import type { Diagram } from '../views/diagram.js';
import { StepThrough } from '../views/step-through.js';
import { StepPlan } from './plan.js';

export interface StepMode {
  /** The pass to step through, with the settings of the step it belongs to. */
  update(trace: TraceView, config: PlaygroundConfig): void;
  /** Draws again (the number of decimals changed). */
  redraw(): void;
}

export function setupStepMode(diagram: Diagram, digits: () => number): StepMode {
  const view = byId('step-view');
  const list = byId('matrices');
  const button = byId<HTMLButtonElement>('step-through');
  const stepper = new StepThrough(view, (lit) => diagram.light(lit), digits);

  button.addEventListener('click', () => {
    const on = view.hidden;
    view.hidden = !on;
    list.hidden = on;
    button.setAttribute('aria-pressed', String(on));
    button.textContent = on ? 'Show every matrix' : 'Step through the pass';
    if (on) stepper.draw();
    else diagram.light(undefined);
  });
  document.addEventListener('keydown', (e) => {
    if (!stepper.active || e.altKey || e.ctrlKey || e.metaKey) return;
    const t = e.target as HTMLElement;
    if (t.closest('input, select, textarea')) return;
    if (e.key === 'ArrowRight') stepper.move(1);
    else if (e.key === 'ArrowLeft') stepper.move(-1);
    else return;
    e.preventDefault();
  });
  return {
    update: (trace, config) => stepper.show(new StepPlan(trace.entries, config.learningRate, config.optimizer, penaltyOf(config))),
    redraw: () => stepper.draw(),
  };
}
