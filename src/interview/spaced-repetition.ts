// Spaced repetition for the flashcards: SM-2 (P. Wozniak, "Optimization of repetition spacing in
// the practice of learning", 1990, §3 the SuperMemo 2 algorithm), with the four grades of Anki.
// Pure: time is always a parameter (nowMs), and the study state is plain versioned JSON.

import { assert, describeValue, invalidArgument } from "../sim/assert.js";

/**
 * How well the reader recalled a card. SM-2 grades recall q from 0 to 5 and counts q < 3 as a
 * failure; "again" is any failure, "hard", "good" and "easy" are q = 3, 4 and 5.
 */
export type ReviewGrade = "again" | "hard" | "good" | "easy";

/** The grades in the order the quiz offers them (keys 1 to 4). */
export const REVIEW_GRADES: readonly ReviewGrade[] = ["again", "hard", "good", "easy"];

/** The SM-2 quality q of each passing grade. */
const QUALITY: Readonly<Record<Exclude<ReviewGrade, "again">, number>> = {
  hard: 3,
  good: 4,
  easy: 5,
};

/** SM-2: every item starts with an easiness factor of 2.5 ... */
const EASE_INITIAL = 2.5;
/** ... that never goes below 1.3 ("items with EF < 1.3 are repeated annoyingly often"). */
export const EASE_MIN = 1.3;
/** Lapses cost ease too (SM-2 lowers EF by 0.8 at q = 0; Anki's 0.2 is kinder to the reader). */
const EASE_PENALTY_AGAIN = 0.2;
/** SM-2's first two intervals, in days: I(1) = 1, I(2) = 6, then I(n) = I(n-1) × EF. */
const INTERVAL_DAYS_FIRST = 1;
const INTERVAL_DAYS_SECOND = 6;
/** Intervals stop growing at 100 years (Anki's cap too), so due times stay exact integers. */
export const INTERVAL_DAYS_MAX = 36_500;

/** One day in ms. */
export const DAY_MS = 86_400_000;
/**
 * A failed card comes back after one minute, in the same sitting. SM-2 resets a failed item's
 * repetitions and asks to "repeat all items with q < 4 within the session"; a short step is how
 * a browser page, with no notion of a session, does that (Anki's learning steps do the same).
 */
export const RELEARN_DELAY_MS = 60_000;
/** A card is mastered once its interval reaches three weeks (Anki calls such cards "mature"). */
export const MASTERED_INTERVAL_DAYS = 21;

/** What the scheduler knows about one card the reader has reviewed at least once. */
export interface CardProgress {
  /** Reviews so far, failed ones included. invariant: reviewsCount >= 1 */
  readonly reviewsCount: number;
  /** SM-2's n: passing reviews in a row since the last "again". invariant: <= reviewsCount */
  readonly repetitions: number;
  /** Times a card that had been recalled was then forgotten ("again" after a pass). */
  readonly lapsesCount: number;
  /** SM-2's EF, rounded to hundredths. invariant: ease >= EASE_MIN */
  readonly ease: number;
  /**
   * SM-2's I(n) in whole days; 0 while relearning after "again".
   * invariant: intervalDays === 0 exactly when repetitions === 0
   */
  readonly intervalDays: number;
  /** When the card was last graded (ms, the caller's clock). */
  readonly lastReviewedMs: number;
  /** When the card is due again. invariant: dueMs >= lastReviewedMs */
  readonly dueMs: number;
}

/** The version of the study state's JSON; parseStudyState rejects any other. */
export const STUDY_STATE_VERSION = 1;

/** Everything the quiz stores: the progress of every card reviewed so far, by card id. */
export interface StudyState {
  readonly version: typeof STUDY_STATE_VERSION;
  /** Cards never reviewed have no entry. */
  readonly cards: Readonly<Record<string, CardProgress>>;
}

/** A study state with no card reviewed. */
export function emptyStudyState(): StudyState {
  return { version: STUDY_STATE_VERSION, cards: {} };
}

function requireTime(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw invalidArgument(name, "a finite number of ms >= 0", value);
  }
  return value;
}

function requireGrade(grade: unknown): ReviewGrade {
  if (!REVIEW_GRADES.includes(grade as ReviewGrade)) {
    throw invalidArgument("grade", `one of ${REVIEW_GRADES.join(", ")}`, grade);
  }
  return grade as ReviewGrade;
}

const roundEase = (ease: number): number => Math.round(ease * 100) / 100;

/**
 * Grades one review and returns the card's new progress (`progress` undefined: the card is new).
 * "again" sends the card back to the start (repetitions 0) and brings it back after
 * RELEARN_DELAY_MS; a pass schedules it 1 day, then 6 days, then the last interval × ease later,
 * rounded up to whole days. The ease moves by SM-2's formula: +0.1 for "easy", 0 for "good",
 * -0.14 for "hard", -0.2 for "again", never below EASE_MIN.
 *
 * @example
 * const first = reviewCard(undefined, "good", 0); // due after 1 day
 * const second = reviewCard(first, "good", first.dueMs); // due 6 days later
 * reviewCard(second, "again", second.dueMs).repetitions; // 0
 */
export function reviewCard(
  progress: CardProgress | undefined,
  grade: ReviewGrade,
  nowMs: number,
): CardProgress {
  requireGrade(grade);
  requireTime("nowMs", nowMs);
  const before = progress ?? {
    reviewsCount: 0,
    repetitions: 0,
    lapsesCount: 0,
    ease: EASE_INITIAL,
    intervalDays: 0,
    lastReviewedMs: nowMs,
    dueMs: nowMs,
  };
  let next: CardProgress;
  if (grade === "again") {
    next = {
      reviewsCount: before.reviewsCount + 1,
      repetitions: 0,
      lapsesCount: before.lapsesCount + (before.repetitions > 0 ? 1 : 0),
      ease: roundEase(Math.max(EASE_MIN, before.ease - EASE_PENALTY_AGAIN)),
      intervalDays: 0,
      lastReviewedMs: nowMs,
      dueMs: nowMs + RELEARN_DELAY_MS,
    };
  } else {
    const q = QUALITY[grade];
    // SM-2: EF' = EF + (0.1 - (5 - q) × (0.08 + (5 - q) × 0.02)); the interval uses the old EF.
    const ease = roundEase(
      Math.max(EASE_MIN, before.ease + 0.1 - (5 - q) * (0.08 + (5 - q) * 0.02)),
    );
    const repetitions = before.repetitions + 1;
    const intervalDays =
      repetitions === 1
        ? INTERVAL_DAYS_FIRST
        : repetitions === 2
          ? INTERVAL_DAYS_SECOND
          : Math.min(INTERVAL_DAYS_MAX, Math.ceil(before.intervalDays * before.ease));
    next = {
      reviewsCount: before.reviewsCount + 1,
      repetitions,
      lapsesCount: before.lapsesCount,
      ease,
      intervalDays,
      lastReviewedMs: nowMs,
      dueMs: nowMs + intervalDays * DAY_MS,
    };
  }
  assert(next.intervalDays >= 0, "an interval is never negative");
  assert(next.dueMs > nowMs, "a graded card is not due again at once");
  assert(next.ease >= EASE_MIN, "the ease never drops below EASE_MIN");
  assert(
    (next.repetitions === 0) === (next.intervalDays === 0),
    "interval 0 only while relearning",
  );
  return next;
}

/** The state after grading one card (the state itself is not changed). */
export function recordReview(
  state: StudyState,
  cardId: string,
  grade: ReviewGrade,
  nowMs: number,
): StudyState {
  if (typeof cardId !== "string" || cardId === "") {
    throw invalidArgument("cardId", "a non-empty string", cardId);
  }
  const progress = Object.hasOwn(state.cards, cardId) ? state.cards[cardId] : undefined;
  return {
    version: STUDY_STATE_VERSION,
    cards: { ...state.cards, [cardId]: reviewCard(progress, grade, nowMs) },
  };
}

function progressOf(state: StudyState, cardId: string): CardProgress | undefined {
  return Object.hasOwn(state.cards, cardId) ? state.cards[cardId] : undefined;
}

/**
 * The cards to study now, in order: reviewed cards that are due, earliest due first (ties keep
 * the order of `cardIds`), then new cards in the order of `cardIds`. Ids the state knows but
 * `cardIds` does not list (a card removed from the deck) are left out.
 *
 * @example
 * const state = recordReview(emptyStudyState(), "a", "again", 0);
 * dueCardIds(state, ["a", "b"], 0); // ["b"]: "a" comes back after a minute
 * dueCardIds(state, ["a", "b"], RELEARN_DELAY_MS); // ["a", "b"]
 */
export function dueCardIds(state: StudyState, cardIds: readonly string[], nowMs: number): string[] {
  requireTime("nowMs", nowMs);
  const due: { id: string; dueMs: number; position: number }[] = [];
  const fresh: string[] = [];
  for (const [position, id] of cardIds.entries()) {
    const progress = progressOf(state, id);
    if (progress === undefined) fresh.push(id);
    else if (progress.dueMs <= nowMs) due.push({ id, dueMs: progress.dueMs, position });
  }
  due.sort((a, b) => a.dueMs - b.dueMs || a.position - b.position);
  return [...due.map((card) => card.id), ...fresh];
}

/**
 * When the next reviewed card among `cardIds` falls due (ms), or undefined when none has been
 * reviewed; lets a page wait for the next card when nothing is due now.
 */
export function nextDueMs(state: StudyState, cardIds: readonly string[]): number | undefined {
  let earliest: number | undefined;
  for (const id of cardIds) {
    const progress = progressOf(state, id);
    if (progress !== undefined && (earliest === undefined || progress.dueMs < earliest)) {
      earliest = progress.dueMs;
    }
  }
  return earliest;
}

/** Where the reader stands on a set of cards. newCount + learningCount + masteredCount = cardsCount. */
export interface StudySummary {
  readonly cardsCount: number;
  /** Never reviewed. */
  readonly newCount: number;
  /** Reviewed, interval still under MASTERED_INTERVAL_DAYS. */
  readonly learningCount: number;
  /** Interval of MASTERED_INTERVAL_DAYS or more. */
  readonly masteredCount: number;
  /** Reviewed cards due now (new cards are counted in newCount only). */
  readonly dueCount: number;
  /** Reviewed at least once: learningCount + masteredCount. */
  readonly reviewedCount: number;
  /** Reviews done in total, failed ones included. */
  readonly reviewsCount: number;
}

/**
 * Counts new, learning, mastered and due cards among `cardIds` at `nowMs`.
 *
 * @example
 * const state = recordReview(emptyStudyState(), "a", "good", 0);
 * studySummary(state, ["a", "b"], 0); // { cardsCount: 2, newCount: 1, learningCount: 1, dueCount: 0, ... }
 */
export function studySummary(
  state: StudyState,
  cardIds: readonly string[],
  nowMs: number,
): StudySummary {
  requireTime("nowMs", nowMs);
  let newCount = 0;
  let learningCount = 0;
  let masteredCount = 0;
  let dueCount = 0;
  let reviewsCount = 0;
  for (const id of cardIds) {
    const progress = progressOf(state, id);
    if (progress === undefined) {
      newCount++;
      continue;
    }
    reviewsCount += progress.reviewsCount;
    if (progress.intervalDays >= MASTERED_INTERVAL_DAYS) masteredCount++;
    else learningCount++;
    if (progress.dueMs <= nowMs) dueCount++;
  }
  assert(newCount + learningCount + masteredCount === cardIds.length, "each card in one class");
  return {
    cardsCount: cardIds.length,
    newCount,
    learningCount,
    masteredCount,
    dueCount,
    reviewedCount: learningCount + masteredCount,
    reviewsCount,
  };
}

/** The study state as JSON text, for localStorage or a file. */
export function serializeStudyState(state: StudyState): string {
  return JSON.stringify({ version: state.version, cards: state.cards });
}

/** What parseStudyState read: a usable state, and why anything was dropped ("" when nothing). */
export interface ParsedStudyState {
  readonly state: StudyState;
  /** Empty when the text was a valid state (or there was no text); else what was wrong. */
  readonly problem: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const PROGRESS_KEYS = [
  "reviewsCount",
  "repetitions",
  "lapsesCount",
  "ease",
  "intervalDays",
  "lastReviewedMs",
  "dueMs",
] as const;

/** Why a stored card progress is unusable ("" when it is usable). */
function progressProblem(value: unknown): string {
  if (!isRecord(value)) return `not an object: ${describeValue(value)}`;
  for (const key of PROGRESS_KEYS) {
    const field = value[key];
    if (typeof field !== "number" || !Number.isFinite(field) || field < 0) {
      return `${key} must be a finite number >= 0, got ${describeValue(field)}`;
    }
  }
  const p = value as unknown as CardProgress;
  const integers = ["reviewsCount", "repetitions", "lapsesCount", "intervalDays"] as const;
  for (const key of integers) {
    if (!Number.isInteger(p[key])) return `${key} must be an integer, got ${p[key]}`;
  }
  if (p.reviewsCount < 1) return `reviewsCount must be >= 1, got ${p.reviewsCount}`;
  if (p.repetitions > p.reviewsCount) {
    return `repetitions (${p.repetitions}) must not exceed reviewsCount (${p.reviewsCount})`;
  }
  if (p.ease < EASE_MIN) return `ease must be >= ${EASE_MIN}, got ${p.ease}`;
  if (p.intervalDays > INTERVAL_DAYS_MAX) {
    return `intervalDays must be <= ${INTERVAL_DAYS_MAX}, got ${p.intervalDays}`;
  }
  if ((p.repetitions === 0) !== (p.intervalDays === 0)) {
    return `intervalDays (${p.intervalDays}) must be 0 exactly when repetitions (${p.repetitions}) is 0`;
  }
  if (p.dueMs < p.lastReviewedMs) {
    return `dueMs (${p.dueMs}) must not be before lastReviewedMs (${p.lastReviewedMs})`;
  }
  return "";
}

/**
 * Reads a study state written by serializeStudyState; never throws, since the text may come from
 * a reader's damaged localStorage. `null` or "" (nothing stored) gives a fresh state and no
 * problem. Text that is not JSON, not an object or of another version gives a fresh state and the
 * reason; cards whose progress is malformed are dropped (the others kept) and named in `problem`.
 *
 * @example
 * parseStudyState("{oops").problem; // "not JSON (...); starting afresh"
 * parseStudyState(serializeStudyState(state)).state; // equal to state
 */
export function parseStudyState(text: string | null): ParsedStudyState {
  const fresh = (problem: string): ParsedStudyState => ({ state: emptyStudyState(), problem });
  if (text === null || text === "") return fresh("");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fresh(`not JSON (${(error as Error).message}); starting afresh`);
  }
  if (!isRecord(value)) {
    return fresh(`not a study state object, got ${describeValue(value)}; starting afresh`);
  }
  if (value.version !== STUDY_STATE_VERSION) {
    return fresh(
      `version must be ${STUDY_STATE_VERSION}, got ${describeValue(value.version)}; starting afresh`,
    );
  }
  if (!isRecord(value.cards)) {
    return fresh(`cards must be an object, got ${describeValue(value.cards)}; starting afresh`);
  }
  const cards: [string, CardProgress][] = [];
  const dropped: string[] = [];
  for (const [id, stored] of Object.entries(value.cards)) {
    const problem = id === "" ? "the card id is empty" : progressProblem(stored);
    if (problem !== "") {
      dropped.push(`${describeValue(id)}: ${problem}`);
      continue;
    }
    const p = stored as CardProgress;
    // Copy only the known fields, so that nothing unexpected is written back.
    cards.push([
      id,
      {
        reviewsCount: p.reviewsCount,
        repetitions: p.repetitions,
        lapsesCount: p.lapsesCount,
        ease: p.ease,
        intervalDays: p.intervalDays,
        lastReviewedMs: p.lastReviewedMs,
        dueMs: p.dueMs,
      },
    ]);
  }
  const problem =
    dropped.length === 0
      ? ""
      : `dropped the progress of ${dropped.length} card${dropped.length === 1 ? "" : "s"} ` +
        `(${dropped.join("; ")}); kept the rest`;
  // fromEntries defines own properties: an id such as "__proto__" stays a plain key.
  return { state: { version: STUDY_STATE_VERSION, cards: Object.fromEntries(cards) }, problem };
}
