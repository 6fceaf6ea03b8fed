// Table types as the application sees them. Times are integer epoch milliseconds in both
// dialects: the clock is injected (tests move it), so the database never calls now().

export interface SettingsTable {
  key: string;
  value: string;
}

export interface Database {
  settings: SettingsTable;
}
