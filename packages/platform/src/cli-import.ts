import { APIError, type ExtensionCreateParams, type Extensions, type ExtensionWithPassword } from '@highrise/sdk';
import { UsageError } from './cli-command';
import { CsvError, parseCsv } from './cli-csv';
import type { Output } from './cli-output';

/** A row that was not imported: `row` is its line in the file (the header is line 1), as a spreadsheet numbers it. */
export interface RowError {
  row: number;
  number?: string | undefined;
  field?: string | undefined;
  issue: string;
}

export interface ImportReport {
  total: number;
  created: ExtensionWithPassword[];
  errors: RowError[];
  /** How many of the created extensions got a generated SIP password (not in the file). */
  generatedPasswords: number;
}

/** Header names accepted for each field (compared without case, spaces, `_` or `-`). */
const COLUMNS: Record<keyof ExtensionCreateParams, string[]> = {
  number: ['number', 'extension', 'ext'],
  displayName: ['displayname', 'name'],
  sipPassword: ['sippassword', 'password'],
};

interface Row {
  line: number;
  item: ExtensionCreateParams;
}

function readRows(text: string): { rows: Row[]; errors: RowError[] } {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvError) throw new UsageError(`not a readable CSV file: ${error.message}`);
    throw error;
  }
  const [header, ...body] = records;
  if (!header) throw new UsageError('the CSV file is empty; its first line names the columns: number,displayName[,sipPassword]');
  const index: Partial<Record<keyof ExtensionCreateParams, number>> = {};
  header.fields.forEach((name, i) => {
    const key = name.trim().toLowerCase().replace(/[\s_-]/g, '');
    const field = (Object.keys(COLUMNS) as (keyof ExtensionCreateParams)[]).find((f) => COLUMNS[f].includes(key));
    if (!field) throw new UsageError(`unknown column "${name}" in the header; expected number, displayName and optionally sipPassword`);
    if (index[field] !== undefined) throw new UsageError(`column ${field} appears twice in the header`);
    index[field] = i;
  });
  if (index.number === undefined || index.displayName === undefined) throw new UsageError('the header must name the columns number and displayName');
  const rows: Row[] = [];
  const errors: RowError[] = [];
  for (const record of body) {
    // Fewer fields than the header are empty cells (spreadsheets drop trailing ones); more are a shifted row.
    if (record.fields.length > header.fields.length) {
      errors.push({ row: record.line, issue: `has ${record.fields.length} fields; the header has ${header.fields.length}` });
      continue;
    }
    const cell = (i: number | undefined) => (i === undefined ? '' : (record.fields[i] ?? ''));
    const password = cell(index.sipPassword);
    rows.push({
      line: record.line,
      item: { number: cell(index.number).trim(), displayName: cell(index.displayName), ...(password !== '' && { sipPassword: password }) },
    });
  }
  return { rows, errors };
}

/** `items.3.number` of a batch → the row and the field. */
const ITEM_FIELD = /^items\.(\d+)(?:\.(.+))?$/;

/**
 * Creates the file's extensions in batches. A batch is all or none on the platform, so when some of
 * its rows are refused (each named by its index) those rows are set aside and the rest is sent
 * again: every good row is imported, every bad one reported with its line. A refusal of the whole
 * batch (the tenant's limit, a revoked key) stops the import there; the rows not sent are reported.
 */
export async function importExtensions(extensions: Extensions, text: string, options: { batchSize: number; out: Output }): Promise<ImportReport> {
  const { rows, errors } = readRows(text);
  const total = rows.length + errors.length;
  const created: ExtensionWithPassword[] = [];
  let generatedPasswords = 0;
  const progress = options.out.progress(total, 'rows');
  let done = errors.length;
  for (let start = 0; start < rows.length; start += options.batchSize) {
    let pending = rows.slice(start, start + options.batchSize);
    while (pending.length > 0) {
      try {
        const batch = await extensions.createBatch(pending.map((r) => r.item));
        created.push(...batch.data);
        generatedPasswords += pending.filter((r) => r.item.sipPassword === undefined).length;
        break;
      } catch (error) {
        const refused = error instanceof APIError ? itemErrors(error, pending) : new Map<number, RowError[]>();
        if (refused.size === 0) {
          // The whole batch was refused: nothing of it or after it is created.
          const reason = error instanceof APIError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
          for (const row of rows.slice(start)) errors.push({ row: row.line, number: row.item.number, issue: `not imported (${reason})` });
          progress.done();
          return finish();
        }
        for (const list of refused.values()) errors.push(...list);
        done += refused.size;
        pending = pending.filter((_, i) => !refused.has(i));
      }
    }
    done += pending.length;
    progress.update(done);
  }
  progress.done();
  return finish();

  function finish(): ImportReport {
    errors.sort((a, b) => a.row - b.row);
    return { total, created, errors, generatedPasswords };
  }
}

/** The per-item details of a refused batch, by the item's index in `pending`, in the file's terms. */
function itemErrors(error: APIError, pending: Row[]): Map<number, RowError[]> {
  const byIndex = new Map<number, RowError[]>();
  for (const detail of error.details) {
    const match = ITEM_FIELD.exec(detail.field);
    const row = match && pending[Number(match[1])];
    if (!row) continue;
    // "same number as items.2" means the row of that item.
    const issue = detail.issue.replace(/items\.(\d+)/g, (text, i: string) => (pending[Number(i)] ? `row ${pending[Number(i)]!.line}` : text));
    const list = byIndex.get(Number(match[1])) ?? [];
    list.push({ row: row.line, number: row.item.number, field: match[2], issue });
    byIndex.set(Number(match[1]), list);
  }
  return byIndex;
}
