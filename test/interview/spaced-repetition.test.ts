// The flashcards' scheduler: SM-2's intervals and easiness factor with four grades, the due
// queue, the summary, and the versioned study state that survives a reader's broken storage.
// Reference: P. Wozniak, "Optimization of repetition spacing in the practice of learning" (1990), §3.

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  type CardProgress,
  type ReviewGrade,
  type StudyState,
  DAY_MS,
  EASE_MIN,
  INTERVAL_DAYS_MAX,
  MASTERED_INTERVAL_DAYS,
  RELEARN_DELAY_MS,
  REVIEW_GRADES,
  STUDY_STATE_VERSION,
  dueCardIds,
  emptyStudyState,
  nextDueMs,
  parseStudyState,
  recordReview,
  reviewCard,
  serializeStudyState,
  studySummary,
} from "../../src/interview/spaced-repetition.js";
import { assertProperty } from "../support/property.js";

const grade: fc.Arbitrary<ReviewGrade> = fc.constantFrom(...REVIEW_GRADES);
/** A review: a grade and how long after the previous one (ms, up to a year). */
const review = fc.record({ grade, afterMs: fc.integer({ min: 0, max: 365 * DAY_MS }) });
const cardId = fc.constantFrom("cap-theorem", "raft-terms", "vector-clocks", "__proto__", "x");

/** Plays reviews of one card from t = startMs; returns every progress in turn and the times. */
function play(
  reviews: readonly { grade: ReviewGrade; afterMs: number }[],
  startMs = 0,
): { progress: CardProgress; nowMs: number; grade: ReviewGrade }[] {
  const steps: { progress: CardProgress; nowMs: number; grade: ReviewGrade }[] = [];
  let progress: CardProgress | undefined;
  let nowMs = startMs;
  for (const r of reviews) {
    nowMs += r.afterMs;
    progress = reviewCard(progress, r.grade, nowMs);
    steps.push({ progress, nowMs, grade: r.grade });
  }
  return steps;
}

/** A study state built by grading cards at increasing times. */
const studyState: fc.Arbitrary<StudyState> = fc
  .array(fc.record({ id: cardId, grade, afterMs: fc.integer({ min: 0, max: 30 * DAY_MS }) }), {
    maxLength: 30,
  })
  .map((reviews) => {
    let state = emptyStudyState();
    let nowMs = 1_700_000_000_000;
    for (const r of reviews) {
      nowMs += r.afterMs;
      state = recordReview(state, r.id, r.grade, nowMs);
    }
    return state;
  });

describe("SM-2 scheduling (Wozniak 1990, §3) with grades again, hard, good, easy", () => {
  it("a new card graded good is due after I(1) = 1 day, then I(2) = 6 days, then 6 × EF", () => {
    const first = reviewCard(undefined, "good", 1000);
    expect(first).toEqual({
      reviewsCount: 1,
      repetitions: 1,
      lapsesCount: 0,
      ease: 2.5,
      intervalDays: 1,
      lastReviewedMs: 1000,
      dueMs: 1000 + DAY_MS,
    });
    const second = reviewCard(first, "good", first.dueMs);
    expect(second.intervalDays).toBe(6);
    const third = reviewCard(second, "good", second.dueMs);
    expect(third.intervalDays).toBe(15); // ceil(6 × 2.5)
    const fourth = reviewCard(third, "good", third.dueMs);
    expect(fourth.intervalDays).toBe(38); // ceil(15 × 2.5): mastered (>= 21 days)
  });

  it("the easiness factor moves by EF + (0.1 - (5 - q)(0.08 + (5 - q) 0.02)): +0.1, 0, -0.14", () => {
    expect(reviewCard(undefined, "easy", 0).ease).toBe(2.6);
    expect(reviewCard(undefined, "good", 0).ease).toBe(2.5);
    expect(reviewCard(undefined, "hard", 0).ease).toBe(2.36);
    expect(reviewCard(undefined, "again", 0).ease).toBe(2.3);
  });

  it("again sends a card back to the start: repetitions 0, back after a minute, a lapse counted", () => {
    const learned = play([
      { grade: "good", afterMs: 0 },
      { grade: "good", afterMs: DAY_MS },
    ]).at(-1)?.progress as CardProgress;
    const failed = reviewCard(learned, "again", 10 * DAY_MS);
    expect(failed.repetitions).toBe(0);
    expect(failed.intervalDays).toBe(0);
    expect(failed.dueMs).toBe(10 * DAY_MS + RELEARN_DELAY_MS);
    expect(failed.lapsesCount).toBe(1);
    // Passing again starts over at I(1) = 1 day.
    expect(reviewCard(failed, "good", failed.dueMs).intervalDays).toBe(1);
  });

  it("a new card failed at once is not a lapse (it was never recalled)", () => {
    expect(reviewCard(undefined, "again", 0).lapsesCount).toBe(0);
  });

  it("property: intervals are never negative and a graded card is never due at once", () => {
    assertProperty(
      fc.property(fc.array(review, { minLength: 1, maxLength: 60 }), (reviews) => {
        for (const { progress, nowMs } of play(reviews)) {
          expect(progress.intervalDays).toBeGreaterThanOrEqual(0);
          expect(progress.intervalDays).toBeLessThanOrEqual(INTERVAL_DAYS_MAX);
          expect(progress.dueMs).toBeGreaterThan(nowMs);
          expect(Number.isSafeInteger(progress.dueMs - nowMs)).toBe(true);
          expect(progress.ease).toBeGreaterThanOrEqual(EASE_MIN);
        }
      }),
    );
  });

  it("property: again always sends a card back to the start", () => {
    assertProperty(
      fc.property(fc.array(review, { maxLength: 30 }), review, (before, last) => {
        const previous = play(before).at(-1)?.progress;
        const nowMs = (play(before).at(-1)?.nowMs ?? 0) + last.afterMs;
        const failed = reviewCard(previous, "again", nowMs);
        expect(failed.repetitions).toBe(0);
        expect(failed.intervalDays).toBe(0);
        expect(failed.dueMs).toBe(nowMs + RELEARN_DELAY_MS);
        expect(failed.reviewsCount).toBe((previous?.reviewsCount ?? 0) + 1);
      }),
    );
  });

  it("property: successive goods grow the interval (until the 100-year cap)", () => {
    assertProperty(
      fc.property(
        fc.array(review, { maxLength: 30 }),
        fc.integer({ min: 2, max: 40 }),
        (before, goods) => {
          let progress = play(before).at(-1)?.progress;
          let nowMs = progress?.dueMs ?? 0;
          let previousInterval = -1;
          for (let i = 0; i < goods; i++) {
            progress = reviewCard(progress, "good", nowMs);
            if (previousInterval < INTERVAL_DAYS_MAX) {
              expect(progress.intervalDays).toBeGreaterThan(previousInterval);
            } else {
              expect(progress.intervalDays).toBe(INTERVAL_DAYS_MAX);
            }
            previousInterval = progress.intervalDays;
            nowMs = progress.dueMs;
          }
        },
      ),
    );
  });

  it("property: at the same step, a better grade never gives a shorter interval", () => {
    assertProperty(
      fc.property(fc.array(review, { maxLength: 30 }), (before) => {
        const last = play(before).at(-1);
        const intervals = REVIEW_GRADES.map(
          (g) => reviewCard(last?.progress, g, last?.nowMs ?? 0).intervalDays,
        );
        expect([...intervals].sort((a, b) => a - b)).toEqual(intervals);
      }),
    );
  });

  it("rejects a grade or a time it does not know, naming the value", () => {
    expect(() => reviewCard(undefined, "perfect" as ReviewGrade, 0)).toThrow(
      'grade must be one of again, hard, good, easy, got "perfect"',
    );
    expect(() => reviewCard(undefined, "good", -1)).toThrow(
      "nowMs must be a finite number of ms >= 0, got -1",
    );
    expect(() => reviewCard(undefined, "good", Number.NaN)).toThrow("got NaN");
    expect(() => recordReview(emptyStudyState(), "", "good", 0)).toThrow(
      'cardId must be a non-empty string, got ""',
    );
  });
});

describe("the due queue and the summary", () => {
  it("new cards come after due ones, in deck order; a failed card returns after a minute", () => {
    let state = recordReview(emptyStudyState(), "b", "again", 0);
    state = recordReview(state, "c", "good", 0);
    expect(dueCardIds(state, ["a", "b", "c", "d"], 0)).toEqual(["a", "d"]);
    expect(dueCardIds(state, ["a", "b", "c", "d"], RELEARN_DELAY_MS)).toEqual(["b", "a", "d"]);
    expect(dueCardIds(state, ["a", "b", "c", "d"], DAY_MS)).toEqual(["b", "c", "a", "d"]);
    expect(nextDueMs(state, ["a", "b", "c", "d"])).toBe(RELEARN_DELAY_MS);
    expect(nextDueMs(state, ["a", "d"])).toBeUndefined();
  });

  it("property: due cards come in due-time order, then new cards in deck order", () => {
    assertProperty(
      fc.property(studyState, fc.integer({ min: 0, max: 400 * DAY_MS }), (state, laterMs) => {
        const deck = ["x", "raft-terms", "cap-theorem", "never-seen", "vector-clocks", "__proto__"];
        const nowMs = 1_700_000_000_000 + laterMs;
        const queue = dueCardIds(state, deck, nowMs);
        const reviewed = queue.filter((id) => Object.hasOwn(state.cards, id));
        const fresh = queue.filter((id) => !Object.hasOwn(state.cards, id));
        expect(queue).toEqual([...reviewed, ...fresh]);
        expect(fresh).toEqual(deck.filter((id) => !Object.hasOwn(state.cards, id)));
        const dues = reviewed.map((id) => state.cards[id]?.dueMs as number);
        expect(dues.every((due) => due <= nowMs)).toBe(true);
        expect([...dues].sort((a, b) => a - b)).toEqual(dues);
        const notDue = deck.filter(
          (id) => Object.hasOwn(state.cards, id) && !reviewed.includes(id),
        );
        expect(notDue.every((id) => (state.cards[id]?.dueMs as number) > nowMs)).toBe(true);
      }),
    );
  });

  it("counts new, learning, mastered and due cards; a card is mastered at a 21-day interval", () => {
    let state = emptyStudyState();
    for (const nowMs of [0, DAY_MS, 7 * DAY_MS, 22 * DAY_MS]) {
      state = recordReview(state, "m", "good", nowMs);
    }
    expect(state.cards.m?.intervalDays).toBeGreaterThanOrEqual(MASTERED_INTERVAL_DAYS);
    state = recordReview(state, "l", "again", 22 * DAY_MS);
    expect(studySummary(state, ["m", "l", "n"], 22 * DAY_MS + RELEARN_DELAY_MS)).toEqual({
      cardsCount: 3,
      newCount: 1,
      learningCount: 1,
      masteredCount: 1,
      dueCount: 1,
      reviewedCount: 2,
      reviewsCount: 5,
    });
  });

  it("property: new + learning + mastered = cards, and due cards are the reviewed ones in the queue", () => {
    assertProperty(
      fc.property(studyState, fc.integer({ min: 0, max: 400 * DAY_MS }), (state, laterMs) => {
        const deck = ["x", "raft-terms", "cap-theorem", "never-seen", "vector-clocks", "__proto__"];
        const nowMs = 1_700_000_000_000 + laterMs;
        const summary = studySummary(state, deck, nowMs);
        expect(summary.newCount + summary.learningCount + summary.masteredCount).toBe(deck.length);
        expect(summary.reviewedCount).toBe(summary.learningCount + summary.masteredCount);
        expect(summary.dueCount + summary.newCount).toBe(dueCardIds(state, deck, nowMs).length);
      }),
    );
  });
});

describe("the versioned study state (what localStorage holds)", () => {
  it("property: parse(serialize(s)) equals s, with no problem", () => {
    assertProperty(
      fc.property(studyState, (state) => {
        const parsed = parseStudyState(serializeStudyState(state));
        expect(parsed.problem).toBe("");
        expect(parsed.state).toEqual(state);
        expect(serializeStudyState(parsed.state)).toBe(serializeStudyState(state));
      }),
    );
  });

  it("nothing stored gives a fresh state and no problem", () => {
    expect(parseStudyState(null)).toEqual({ state: emptyStudyState(), problem: "" });
    expect(parseStudyState("")).toEqual({ state: emptyStudyState(), problem: "" });
  });

  it("names what was wrong with text it cannot use, and starts afresh", () => {
    expect(parseStudyState("{oops").problem).toMatch(/^not JSON \(.+\); starting afresh$/);
    expect(parseStudyState("[1,2]").problem).toBe(
      "not a study state object, got [1,2]; starting afresh",
    );
    expect(parseStudyState('{"version":2,"cards":{}}').problem).toBe(
      `version must be ${STUDY_STATE_VERSION}, got 2; starting afresh`,
    );
    expect(parseStudyState('{"version":1,"cards":null}').problem).toBe(
      "cards must be an object, got null; starting afresh",
    );
  });

  it("repairs a state with some broken cards: drops those, keeps the rest, names each", () => {
    const good = reviewCard(undefined, "good", 5);
    const text = JSON.stringify({
      version: 1,
      cards: {
        kept: good,
        negative: { ...good, intervalDays: -3 },
        text: "hello",
        relearning: { ...good, repetitions: 0 },
      },
    });
    const parsed = parseStudyState(text);
    expect(parsed.state).toEqual({ version: 1, cards: { kept: good } });
    expect(parsed.problem).toBe(
      "dropped the progress of 3 cards (" +
        '"negative": intervalDays must be a finite number >= 0, got -3; ' +
        '"text": not an object: "hello"; ' +
        '"relearning": intervalDays (1) must be 0 exactly when repetitions (0) is 0' +
        "); kept the rest",
    );
  });

  it("keeps only the known fields of a card (nothing unexpected is written back)", () => {
    const good = reviewCard(undefined, "good", 5);
    const parsed = parseStudyState(
      JSON.stringify({ version: 1, cards: { a: { ...good, extra: "x" } }, other: 1 }),
    );
    expect(parsed.problem).toBe("");
    expect(serializeStudyState(parsed.state)).toBe(
      serializeStudyState({ version: 1, cards: { a: good } }),
    );
  });

  it("property: parse of any text never throws; garbage gives a fresh state and a reason", () => {
    assertProperty(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const parsed = parseStudyState(text);
        // Whatever was read is usable: it serializes and reads back the same.
        expect(parseStudyState(serializeStudyState(parsed.state)).state).toEqual(parsed.state);
        const value = ((): unknown => {
          try {
            return JSON.parse(text);
          } catch {
            return undefined;
          }
        })();
        const isState =
          typeof value === "object" &&
          value !== null &&
          (value as { version?: unknown }).version === 1;
        if (!isState && text !== "") {
          expect(parsed.state).toEqual(emptyStudyState());
          expect(parsed.problem).not.toBe("");
        }
      }),
    );
  });
});
