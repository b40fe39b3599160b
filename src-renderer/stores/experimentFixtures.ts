// The fixtures moved to src-shared with the figure modules whose specs use them.
export * from '@shared/experiments/resultsFixtures';
