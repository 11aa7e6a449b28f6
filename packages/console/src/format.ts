// Numbers and dates as an operator reads them, in the zone the pickers chose.
export const count = (n: number) => new Intl.NumberFormat('en-US').format(n);

export const percent = (ratio: number | null) => (ratio === null ? '–' : `${Math.round(ratio * 100)} %`);

export const minutes = (m: number) => `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(m)} min`;

export function bytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

export function dateTime(iso: string, tz: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: tz, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export const label = (snake: string) => snake.replace(/_/g, ' ');
