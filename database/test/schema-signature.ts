import type mysql from 'mysql2/promise';

/**
 * What a database's schema is, as text to compare: tables, columns, indexes, constraints and
 * triggers, with the progress table of the migrate step left out.
 */
export async function schemaSignature(db: mysql.Pool | mysql.Connection): Promise<string[]> {
  const queries = [
    `SELECT CONCAT_WS(' ', 'column', table_name, column_name, ordinal_position, column_type,
                      is_nullable, COALESCE(column_default, '-'), extra) AS line
     FROM information_schema.columns WHERE table_schema = DATABASE()`,
    `SELECT CONCAT_WS(' ', 'index', table_name, index_name, seq_in_index, column_name, non_unique)
     AS line FROM information_schema.statistics WHERE table_schema = DATABASE()`,
    `SELECT CONCAT_WS(' ', 'constraint', table_name, constraint_name, constraint_type) AS line
     FROM information_schema.table_constraints WHERE constraint_schema = DATABASE()`,
    `SELECT CONCAT_WS(' ', 'trigger', trigger_name, event_object_table, action_timing,
                      event_manipulation, action_statement) AS line
     FROM information_schema.triggers WHERE trigger_schema = DATABASE()`,
  ];
  const lines: string[] = [];
  for (const sql of queries) {
    const [rows] = await db.query<mysql.RowDataPacket[]>(sql);
    lines.push(...rows.map((r) => String(r.line)));
  }
  return lines.filter((l) => !/\bschema_migration_steps\b/.test(l)).sort();
}
