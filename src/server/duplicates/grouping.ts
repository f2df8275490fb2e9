/**
 * @file Groups of copies by leader clustering: every member is above its grade's threshold to the group's
 * leader. Plain connected components would chain A~B~C~D into one group although A and D share nothing;
 * here D joins only if it is close to the leader itself. Strongest links are placed first (near copies
 * before paraphrases, higher similarity first), so mirrors and their drifted copies end up together, and
 * ties break on file order, so the result is the same on every run.
 */

export type LinkGrade = 'near' | 'paraphrase';

export interface Link<K> {
  a: K;
  b: K;
  grade: LinkGrade;
  similarity: number;
}

export interface GroupingForm<K> {
  key: K;
  /** Copies of exactly this text (a form with 2+ copies is a group on its own). */
  copies: number;
  /** Sort key of its first copy (path, line): the stable order. */
  order: string;
}

export interface FormGroup<K> {
  leader: K;
  /** The leader first, then the others in stable order. */
  forms: K[];
}

const GRADE_RANK: Readonly<Record<LinkGrade, number>> = Object.freeze({ near: 0, paraphrase: 1 });

export function groupForms<K>(forms: ReadonlyMap<K, GroupingForm<K>>, links: readonly Link<K>[], linkOf: (a: K, b: K) => Link<K> | undefined): FormGroup<K>[] {
  const order = (k: K) => forms.get(k)!.order;
  // Tie-break keys made once per link, not per comparison (similarities tie often: Jaccard has few values).
  const sorted = links
    .filter((l) => forms.has(l.a) && forms.has(l.b))
    .map((l) => ({ l, tie: pairOrder(l, order) }))
    .sort((x, y) => GRADE_RANK[x.l.grade] - GRADE_RANK[y.l.grade] || y.l.similarity - x.l.similarity || cmp(x.tie, y.tie))
    .map((x) => x.l);
  const groupOf = new Map<K, FormGroup<K>>();
  const groups: FormGroup<K>[] = [];
  const better = (a: K, b: K) => {
    const fa = forms.get(a)!;
    const fb = forms.get(b)!;
    return fa.copies !== fb.copies ? fa.copies > fb.copies : fa.order <= fb.order;
  };
  for (const link of sorted) {
    const ga = groupOf.get(link.a);
    const gb = groupOf.get(link.b);
    if (!ga && !gb) {
      // The form with more copies leads (the mirrored original), else the one that comes first.
      const [leader, other] = better(link.a, link.b) ? [link.a, link.b] : [link.b, link.a];
      const group = { leader, forms: [leader, other] };
      groups.push(group);
      groupOf.set(leader, group).set(other, group);
    } else if (ga && !gb) {
      if (link.a === ga.leader || linkOf(link.b, ga.leader)) join(ga, link.b);
    } else if (!ga && gb) {
      if (link.b === gb.leader || linkOf(link.a, gb.leader)) join(gb, link.a);
    }
  }
  function join(group: FormGroup<K>, key: K) {
    group.forms.push(key);
    groupOf.set(key, group);
  }
  for (const form of forms.values()) {
    if (form.copies >= 2 && !groupOf.has(form.key)) groups.push({ leader: form.key, forms: [form.key] });
  }
  for (const g of groups) g.forms = [g.leader, ...g.forms.filter((f) => f !== g.leader).sort((a, b) => cmp(order(a), order(b)))];
  return groups;
}

function pairOrder<K>(l: Link<K>, order: (k: K) => string): string {
  const [x, y] = [order(l.a), order(l.b)].sort();
  return `${x}\u0001${y}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
