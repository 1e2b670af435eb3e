// The list envelope `{items, nextCursor}` shared by every paginated route.
import * as z from 'zod';

export function pageSchema<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z
        .string()
        .nullable()
        .meta({ description: 'Pass as `cursor` for the next page; null at the end' }),
    })
    .meta({ id });
}
