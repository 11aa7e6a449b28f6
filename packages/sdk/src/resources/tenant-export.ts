import type { TenantExportRecord } from '../models';
import { HighriseError } from '../errors/index';

/**
 * The records of a tenant export, read line by line as they arrive (JSON Lines), so an export of
 * millions of calls is never held whole. Ends with the `end` record; a stream that stops before it
 * was cut short (the platform failed after the response began, or the connection dropped) and
 * throws instead of passing for a complete export.
 */
export async function* exportRecords(response: Response): AsyncGenerator<TenantExportRecord> {
  const body = response.body;
  if (!body) throw new HighriseError('the export response has no body');
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  let ended = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffered += value;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line === '') continue;
        const record = JSON.parse(line) as TenantExportRecord;
        if (record.type === 'end') ended = true;
        yield record;
      }
    }
  } finally {
    // A consumer that stops early (break) releases the connection.
    await reader.cancel().catch(() => {});
  }
  if (buffered.trim() !== '' || !ended) throw new HighriseError('the tenant export was cut short: the last record is not `end`');
}
