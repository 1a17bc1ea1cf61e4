/** Whether `offset` comes before `limit`; both are canonical decimal offsets. */
export function isBefore(offset: string, limit: string): boolean {
  return offset.length === limit.length ? offset < limit : offset.length < limit.length;
}
