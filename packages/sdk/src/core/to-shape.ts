import type { z } from 'zod';
import type { Descriptor } from './shape';

interface Def {
  type: string;
  innerType?: z.core.$ZodType;
  element?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  out?: z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
  options?: z.core.$ZodType[];
  values?: unknown[];
  entries?: Record<string, unknown>;
}

const primitive = (value: unknown): Descriptor =>
  value === null ? 'z' : typeof value === 'string' ? 's' : typeof value === 'number' ? 'n' : typeof value === 'boolean' ? 'b' : 'x';

/**
 * The shape (core/shape.ts) of a zod schema's output: field types only. Anything it does not
 * know becomes `x` (anything), so a schema feature added later can only make the check looser.
 */
export function toShape(schema: z.core.$ZodType): Descriptor {
  const def = schema._zod.def as unknown as Def;
  switch (def.type) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'null':
      return def.type === 'null' ? 'z' : (def.type[0] as 's' | 'n' | 'b');
    case 'literal': {
      const kinds = new Set((def.values ?? []).map(primitive));
      return kinds.size === 1 ? [...kinds][0]! : 'x';
    }
    case 'enum': {
      const kinds = new Set(Object.values(def.entries ?? {}).map(primitive));
      return kinds.size === 1 ? [...kinds][0]! : 'x';
    }
    case 'nullable':
      return ['?', toShape(def.innerType!)];
    case 'optional':
      return ['~', toShape(def.innerType!)];
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return toShape(def.innerType!);
    case 'pipe':
      return toShape(def.out!);
    case 'array':
      return ['a', toShape(def.element!)];
    case 'record':
      return ['r', toShape(def.valueType!)];
    case 'union':
      return ['|', ...def.options!.map(toShape)];
    case 'object':
      return Object.fromEntries(Object.entries(def.shape!).map(([key, field]) => [key, toShape(field)]));
    default:
      return 'x';
  }
}
