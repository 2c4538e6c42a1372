/** A Date as Prisma's SQLite adapter stores DateTime columns, for raw SQL that writes them. */
export function sqlDate(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}
