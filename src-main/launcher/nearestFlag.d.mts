/** The known flag nearest to a mistyped one, or null when none is close (see nearestFlag.mjs). */
export function nearestFlag(typed: string, known: readonly string[]): string | null;
