// The flashcards quiz (/quiz): the cards of src/interview/flashcards.ts, scheduled by SM-2
// (src/interview/spaced-repetition.ts); progress in one versioned localStorage key; keyboard only.
// The full list of cards renders on the server too, so the site build checks every card's link.
import {
  type ReactNode,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import Link from "@docusaurus/Link";
import Heading from "@theme/Heading";
import Layout from "@theme/Layout";

import { type Flashcard, FLASHCARDS } from "@site/src/interview/flashcards";
import {
  type ReviewGrade,
  type StudyState,
  DAY_MS,
  REVIEW_GRADES,
  dueCardIds,
  emptyStudyState,
  nextDueMs,
  parseStudyState,
  recordReview,
  reviewCard,
  serializeStudyState,
  studySummary,
} from "@site/src/interview/spaced-repetition";

import styles from "./quiz.module.css";

/** The one localStorage key of the quiz; the JSON inside carries its own version. */
const QUIZ_STORAGE_KEY = "distsys:flashcards-quiz";
/** How often the page looks again for cards that fell due (a failed card returns after 1 min). */
const TICK_MS = 5_000;

const GRADE_LABEL: Record<ReviewGrade, string> = {
  again: "Again",
  hard: "Hard",
  good: "Good",
  easy: "Easy",
};

const sectionPath = (card: Flashcard): string =>
  `/docs/chapters/${card.link.page}${card.link.anchor === "" ? "" : `#${card.link.anchor}`}`;

/** "1 min", "6 d", "3 mo": the wait a grade would give, shown on its button as Anki does. */
function formatWait(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${Math.max(1, minutes)} min`;
  if (ms < DAY_MS) return `${Math.round(ms / 3_600_000)} h`;
  const days = Math.round(ms / DAY_MS);
  if (days < 31) return `${days} d`;
  if (days < 365) return `${Math.round(days / 30)} mo`;
  return `${(days / 365).toFixed(1)} y`;
}

function readStorage(): { state: StudyState; problem: string } {
  try {
    const parsed = parseStudyState(window.localStorage.getItem(QUIZ_STORAGE_KEY));
    return {
      state: parsed.state,
      problem:
        parsed.problem === ""
          ? ""
          : `Your saved progress could not all be read: ${parsed.problem}.`,
    };
  } catch {
    return {
      state: emptyStudyState(),
      problem: "This browser does not let the page read its storage: progress will not be kept.",
    };
  }
}

/** Writes the state; returns a problem to show ("" when saved). */
function writeStorage(state: StudyState | undefined): string {
  try {
    if (state === undefined) window.localStorage.removeItem(QUIZ_STORAGE_KEY);
    else window.localStorage.setItem(QUIZ_STORAGE_KEY, serializeStudyState(state));
    return "";
  } catch {
    return "This browser did not let the page save its progress: it will be lost on reload.";
  }
}

/** Whether a key press is typing into a field (where digits and letters must stay text). */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target instanceof HTMLTextAreaElement) return !target.readOnly;
  return target instanceof HTMLInputElement || target.isContentEditable;
}

function Quiz(): ReactNode {
  const [loaded, setLoaded] = useState(false);
  const [study, setStudy] = useState<StudyState>(emptyStudyState);
  const [notice, setNotice] = useState("");
  const [chapter, setChapter] = useState("");
  const [nowMs, setNowMs] = useState(0);
  const [currentId, setCurrentId] = useState<string | undefined>(undefined);
  const [revealed, setRevealed] = useState(false);
  const [draft, setDraft] = useState("");
  const [confirmingReset, setConfirmingReset] = useState(false);
  const [announcement, setAnnouncement] = useState("");

  const answerBox = useRef<HTMLTextAreaElement>(null);
  const goodButton = useRef<HTMLButtonElement>(null);
  const keepButton = useRef<HTMLButtonElement>(null);
  const resetButton = useRef<HTMLButtonElement>(null);
  const doneMessage = useRef<HTMLParagraphElement>(null);
  /** What to focus after the next render: focus follows the step the reader is on. */
  const focusNext = useRef<"answer" | "grades" | "keep" | "reset" | undefined>(undefined);

  const chapters = useMemo(() => [...new Set(FLASHCARDS.map((card) => card.link.page))], []);
  const deckIds = useMemo(
    () =>
      FLASHCARDS.filter((card) => chapter === "" || card.link.page === chapter).map(
        (card) => card.id,
      ),
    [chapter],
  );
  const current = FLASHCARDS.find((card) => card.id === currentId);

  /** Moves to the first card due at `atMs` and announces it. */
  const pickNext = useCallback((state: StudyState, ids: readonly string[], atMs: number): void => {
    const queue = dueCardIds(state, ids, atMs);
    const next = FLASHCARDS.find((card) => card.id === queue[0]);
    setCurrentId(next?.id);
    setRevealed(false);
    setDraft("");
    setAnnouncement(
      next === undefined
        ? "Nothing is due now."
        : `Next card, ${queue.length} to study: ${next.question}`,
    );
  }, []);

  // Load the saved progress once, in the browser only (the server renders the loading line).
  useEffect(() => {
    const { state, problem } = readStorage();
    const atMs = Date.now();
    setStudy(state);
    setNotice(problem);
    setNowMs(atMs);
    setLoaded(true);
    pickNext(
      state,
      FLASHCARDS.map((card) => card.id),
      atMs,
    );
    // Runs once: later picks happen on grading, filtering, resetting and the tick below.
  }, [pickNext]);

  // Time passes: keep the counts current and pick up a card that fell due while none was shown.
  useEffect(() => {
    if (!loaded) return;
    const timer = window.setInterval(() => {
      const atMs = Date.now();
      setNowMs(atMs);
      if (currentId === undefined && dueCardIds(study, deckIds, atMs).length > 0) {
        pickNext(study, deckIds, atMs);
      }
    }, TICK_MS);
    return () => window.clearInterval(timer);
  }, [loaded, currentId, study, deckIds, pickNext]);

  // In the same commit as the DOM change, so focus never lags a new card (and a test sees both).
  useLayoutEffect(() => {
    const target = focusNext.current;
    focusNext.current = undefined;
    if (target === "answer") (answerBox.current ?? doneMessage.current)?.focus();
    else if (target === "grades") goodButton.current?.focus();
    else if (target === "keep") keepButton.current?.focus();
    else if (target === "reset") resetButton.current?.focus();
  });

  const reveal = useCallback((): void => {
    if (current === undefined || revealed) return;
    setRevealed(true);
    setAnnouncement(`Answer: ${current.answer}`);
    focusNext.current = "grades";
  }, [current, revealed]);

  const grade = useCallback(
    (chosen: ReviewGrade): void => {
      if (current === undefined || !revealed) return;
      const atMs = Date.now();
      const next = recordReview(study, current.id, chosen, atMs);
      setStudy(next);
      setNotice(writeStorage(next));
      setNowMs(atMs);
      pickNext(next, deckIds, atMs);
      focusNext.current = "answer";
    },
    [current, revealed, study, deckIds, pickNext],
  );

  const chooseChapter = (page: string): void => {
    const ids = FLASHCARDS.filter((card) => page === "" || card.link.page === page).map(
      (card) => card.id,
    );
    const atMs = Date.now();
    setChapter(page);
    setNowMs(atMs);
    pickNext(study, ids, atMs);
  };

  const reset = (): void => {
    const fresh = emptyStudyState();
    const atMs = Date.now();
    setStudy(fresh);
    setNotice(writeStorage(undefined));
    setConfirmingReset(false);
    setNowMs(atMs);
    pickNext(fresh, deckIds, atMs);
    focusNext.current = "answer";
  };

  // Keys: Ctrl+Enter (or ⌘+Enter) reveals, even from the answer box, where it types nothing;
  // 1-4 grade once the answer shows (the answer box is read-only by then); Escape cancels a reset.
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.defaultPrevented) return;
      if (confirmingReset) {
        if (event.key === "Escape") {
          event.preventDefault();
          setConfirmingReset(false);
          focusNext.current = "reset";
        }
        return;
      }
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.altKey) {
        if (current !== undefined && !revealed) {
          event.preventDefault();
          reveal();
        }
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      const index = ["1", "2", "3", "4"].indexOf(event.key);
      if (index >= 0 && revealed) {
        event.preventDefault();
        grade(REVIEW_GRADES[index] as ReviewGrade);
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [confirmingReset, current, revealed, reveal, grade]);

  if (!loaded) {
    return <p className={styles.loading}>Loading your progress…</p>;
  }

  const summary = studySummary(study, deckIds, nowMs);
  const progress = current === undefined ? undefined : study.cards[current.id];
  const upcomingMs = nextDueMs(study, deckIds);

  return (
    <div className={styles.quiz}>
      <div className={styles.toolbar}>
        <label className={styles.filter}>
          Chapter{" "}
          <select value={chapter} onChange={(event) => chooseChapter(event.target.value)}>
            <option value="">All chapters ({FLASHCARDS.length} cards)</option>
            {chapters.map((page) => (
              <option key={page} value={page}>
                {page} ({FLASHCARDS.filter((card) => card.link.page === page).length})
              </option>
            ))}
          </select>
        </label>
        <p className={styles.progress} data-testid="quiz-progress">
          Due now: <strong>{summary.dueCount}</strong> · New: <strong>{summary.newCount}</strong> ·
          Reviewed: <strong>{summary.reviewedCount}</strong> · Mastered:{" "}
          <strong>{summary.masteredCount}</strong>
        </p>
      </div>

      {notice === "" ? null : (
        <p className={styles.notice} role="alert">
          {notice}
        </p>
      )}

      <div className={styles.liveRegion} aria-live="polite" role="status">
        {announcement}
      </div>

      {current === undefined ? (
        <p className={styles.done} ref={doneMessage} tabIndex={-1} data-testid="quiz-done">
          Nothing is due in this set now.{" "}
          {upcomingMs === undefined
            ? ""
            : `The next card is due in ${formatWait(Math.max(0, upcomingMs - nowMs))}.`}{" "}
          Come back later, or pick another chapter.
        </p>
      ) : (
        <article className={styles.card} data-card-id={current.id} aria-labelledby="quiz-question">
          <p className={styles.meta}>
            {progress === undefined
              ? "New card"
              : `Reviewed ${progress.reviewsCount} time${progress.reviewsCount === 1 ? "" : "s"}`}{" "}
            · {current.link.page}
          </p>
          <h2 id="quiz-question" className={styles.question}>
            {current.question}
          </h2>
          <label className={styles.answerLabel} htmlFor="quiz-answer">
            Your answer (for yourself: it is not checked)
          </label>
          <textarea
            id="quiz-answer"
            ref={answerBox}
            className={styles.answerBox}
            rows={4}
            value={draft}
            readOnly={revealed}
            onChange={(event) => setDraft(event.target.value)}
            aria-describedby="quiz-keys"
          />
          {!revealed ? (
            <button
              type="button"
              className="button button--primary"
              onClick={reveal}
              aria-keyshortcuts="Control+Enter Meta+Enter"
            >
              Reveal answer <kbd>Ctrl</kbd>+<kbd>Enter</kbd>
            </button>
          ) : (
            <>
              <div className={styles.answer} data-testid="quiz-answer">
                <h3 className={styles.answerHeading}>Answer</h3>
                <p>{current.answer}</p>
                <p>
                  Read more:{" "}
                  <Link to={sectionPath(current)}>
                    {current.link.page}
                    {current.link.anchor === "" ? "" : ` § ${current.link.anchor}`}
                  </Link>
                </p>
              </div>
              <div className={styles.grades} role="group" aria-label="How well did you recall it?">
                {REVIEW_GRADES.map((g, index) => {
                  const waitMs = reviewCard(progress, g, nowMs).dueMs - nowMs;
                  return (
                    <button
                      key={g}
                      type="button"
                      ref={g === "good" ? goodButton : undefined}
                      className={`button ${g === "again" ? "button--danger" : g === "good" ? "button--primary" : "button--secondary"} ${styles.grade}`}
                      onClick={() => grade(g)}
                      aria-keyshortcuts={String(index + 1)}
                    >
                      <span>
                        <kbd>{index + 1}</kbd> {GRADE_LABEL[g]}
                      </span>
                      <span className={styles.wait}>{formatWait(waitMs)}</span>
                    </button>
                  );
                })}
              </div>
            </>
          )}
        </article>
      )}

      <p id="quiz-keys" className={styles.keys}>
        Keys: <kbd>Ctrl</kbd>+<kbd>Enter</kbd> (<kbd>⌘</kbd>+<kbd>Enter</kbd> on a Mac) reveals the
        answer; <kbd>1</kbd> to <kbd>4</kbd> grade it (Again, Hard, Good, Easy); <kbd>Tab</kbd>{" "}
        moves between controls.
      </p>

      <div className={styles.reset}>
        {confirmingReset ? (
          <div role="group" aria-label="Confirm reset" className={styles.confirm}>
            <span>Erase all your progress on every card?</span>
            <button type="button" className="button button--danger" onClick={reset}>
              Erase progress
            </button>
            <button
              type="button"
              ref={keepButton}
              className="button button--secondary"
              onClick={() => {
                setConfirmingReset(false);
                focusNext.current = "reset";
              }}
            >
              Keep progress
            </button>
          </div>
        ) : (
          <button
            type="button"
            ref={resetButton}
            data-quiz-reset
            className="button button--outline button--secondary"
            onClick={() => {
              setConfirmingReset(true);
              focusNext.current = "keep";
            }}
          >
            Reset progress…
          </button>
        )}
      </div>
    </div>
  );
}

export default function QuizPage(): ReactNode {
  return (
    <Layout
      title="Flashcards quiz"
      description="Spaced-repetition flashcards over every distsys chapter, with links to the sections that teach them."
    >
      <main className={`container margin-vert--lg ${styles.page}`}>
        <Heading as="h1">Flashcards quiz</Heading>
        <p>
          {FLASHCARDS.length} questions an interviewer asks about the chapters. Write your answer,
          reveal the card's, and grade how well you recalled it: the page schedules each card with
          SM-2 (Wozniak, 1990), so a card you knew comes back after a day, then 6 days, then ever
          longer, and a card you missed comes back within a minute. Your progress stays in this
          browser.
        </p>
        <Quiz />
        <details className={styles.allCards}>
          <summary>{`All ${FLASHCARDS.length} cards`}</summary>
          <ol>
            {FLASHCARDS.map((card) => (
              <li key={card.id} data-card-id={card.id}>
                <span className={styles.listQuestion}>{card.question}</span>{" "}
                <Link to={sectionPath(card)}>
                  {card.link.page}
                  {card.link.anchor === "" ? "" : ` § ${card.link.anchor}`}
                </Link>
              </li>
            ))}
          </ol>
        </details>
      </main>
    </Layout>
  );
}
