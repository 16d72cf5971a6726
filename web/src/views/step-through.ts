/**
 * Step through one pass: one stage of the plan at a time, its matrix with the chosen cell, the
 * matrices it reads with the cells that cell was computed from, and (through `light`) the part
 * of the network diagram it belongs to. → next, ← back; a click on a cell chooses it.
 */
import { formatNumber, matrixCard } from './matrices.js';
import type { Lit, StepPlan } from '../step/plan.js';

export class StepThrough {
  private plan?: StepPlan;
  private index = 0;
  private cell: [number, number] = [0, 0];

  constructor(
    private readonly root: HTMLElement,
    private readonly light: (lit: Lit | undefined) => void,
    private readonly digits: () => number,
  ) {
    root.querySelector('#step-back')!.addEventListener('click', () => this.move(-1));
    root.querySelector('#step-next')!.addEventListener('click', () => this.move(1));
    root.querySelector('#step-current')!.addEventListener('click', (e) => {
      const td = (e.target as HTMLElement).closest('td');
      if (!td?.dataset.r) return;
      this.cell = [Number(td.dataset.r), Number(td.dataset.c)];
      this.draw();
    });
  }

  get active(): boolean {
    return !this.root.hidden;
  }

  /** A new pass to step through (a new batch or new weights): the same stage, where it still exists. */
  show(plan: StepPlan): void {
    this.plan = plan;
    this.index = Math.min(this.index, plan.stages.length - 1);
    if (this.active) this.draw();
  }

  /** One stage forward (+1) or back (−1). */
  move(by: number): void {
    if (!this.plan) return;
    this.index = Math.max(0, Math.min(this.plan.stages.length - 1, this.index + by));
    this.draw();
  }

  draw(): void {
    const plan = this.plan;
    if (!plan || !this.active) return;
    const stage = plan.stages[this.index];
    const rows = Math.min(stage.value.length, 8);
    const [r, c] = [Math.min(this.cell[0], rows - 1), Math.min(this.cell[1], (stage.value[0]?.length ?? 1) - 1)];
    this.cell = [r, c];
    const digits = this.digits();
    const q = <T extends HTMLElement>(sel: string) => this.root.querySelector<T>(sel)!;
    q<HTMLOutputElement>('#step-stage').value = `${this.index + 1} / ${plan.stages.length}: ${stage.title}`;
    q<HTMLButtonElement>('#step-back').disabled = this.index === 0;
    q<HTMLButtonElement>('#step-next').disabled = this.index === plan.stages.length - 1;

    const current = matrixCard(stage, digits, stage.title);
    current.querySelector(`td[data-r="${r}"][data-c="${c}"]`)?.classList.add('sel');
    q('#step-current').replaceChildren(current);

    const sources = plan.sources(stage, r, c);
    q('#step-sources').replaceChildren(
      ...sources.map((s) => {
        const card = matrixCard(plan.entry(s.matrix)!, digits);
        for (const [a, b] of s.cells) card.querySelector(`td[data-r="${a}"][data-c="${b}"]`)?.classList.add('src');
        return card;
      }),
    );
    const from = sources.map((s) => s.matrix).join(', ');
    const worked = plan.arithmetic(stage, r, c, (v) => formatNumber(v, digits));
    q('#step-arithmetic').textContent = worked;
    q('#step-arithmetic').hidden = worked === '';
    q('#step-explain').textContent =
      `${stage.kind.endsWith('apply') ? `the new ${stage.name.replace('_new', '')}` : stage.name}[${r + 1},${c + 1}] = ` +
      `${formatNumber(stage.value[r][c], Math.max(digits, 4))}, ` +
      `computed from the highlighted cells of ${from}. Click another cell to see where it comes from.`;
    this.light(plan.lit(stage, r, c));
  }
}
