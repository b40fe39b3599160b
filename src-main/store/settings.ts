import type Database from 'better-sqlite3';

/** User settings kept with the data directory, so the app and the CLI share them. */
export class SettingsRepository {
  constructor(private readonly db: Database.Database) {}

  get<T>(key: string): T | null {
    const row = this.db.prepare(`SELECT value_json FROM settings WHERE key = ?`).get(key) as { value_json: string } | undefined;
    return row ? (JSON.parse(row.value_json) as T) : null;
  }

  set(key: string, value: unknown): void {
    if (value === null) this.db.prepare(`DELETE FROM settings WHERE key = ?`).run(key);
    else this.db.prepare(`INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json`).run(key, JSON.stringify(value));
  }
}
