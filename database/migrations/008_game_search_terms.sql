-- The catalog's word index for search by title or developer (docs/performance.md, "Search").
-- InnoDB FULLTEXT cannot serve it here: innodb_ft_min_token_size (3 on the servers we run on, a
-- server setting) and the stopword list drop "Ys", "F-Zero"'s "F" and "II", and it has no
-- notion of a prefix of a short word. One row per distinct word (or symbol) of a game's title or
-- developer, cut by `gameTerms` in @retro/common and written by the backend in the transaction
-- that writes the game; the migrate step fills it for the games already there.
CREATE TABLE game_search_terms (
  -- normalised (lower case, accents dropped) by the writer, so a binary collation compares it
  term VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  game_id INT NOT NULL,
  -- 1 = title, 2 = developer
  field TINYINT UNSIGNED NOT NULL,
  -- where the word stands in its field (0 = first; 255 = a symbol), for relevance
  pos TINYINT UNSIGNED NOT NULL,
  -- how many words the title has: shorter titles first among equally relevant matches
  words TINYINT UNSIGNED NOT NULL,
  -- a search token is a range of this key (a prefix or one term): the games come out of it
  -- without touching the games table
  PRIMARY KEY (term, game_id, field),
  KEY idx_game_search_terms_game (game_id),
  CONSTRAINT fk_game_search_terms_game FOREIGN KEY (game_id) REFERENCES games (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
