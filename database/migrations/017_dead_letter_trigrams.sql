-- The dead-letter archive's text index: `bodyContains` (a literal, case-insensitive substring of a
-- UTF-8 body) looks its text's three-character pieces up here instead of scanning every body, then
-- confirms each candidate with the same LIKE it always ran (docs/producer.md, "Body text search").
-- One row per distinct trigram of a body, written by the producer's archiver in the transaction
-- that archives the message; the migrate step fills it for the rows already archived.
CREATE TABLE dead_letter_trigrams (
  -- The comparison LIKE uses on the body (utf8mb4_general_ci: one weight per character), so two
  -- trigrams that LIKE would take for the same text are one key, and a lookup finds every body
  -- whose LIKE could match.
  trigram VARCHAR(3) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL,
  dead_letter_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (trigram, dead_letter_id),
  KEY idx_dead_letter_trigrams_row (dead_letter_id),
  -- the purge removes a row's trigrams with it
  CONSTRAINT fk_dead_letter_trigrams_row FOREIGN KEY (dead_letter_id) REFERENCES dead_letters (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
