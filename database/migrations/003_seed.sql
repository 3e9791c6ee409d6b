-- Seed data: the platforms, genres and classic games the catalog starts with.
INSERT INTO platforms (id, name, manufacturer, release_year) VALUES
  (1, 'NES', 'Nintendo', 1985),
  (2, 'SNES', 'Nintendo', 1990),
  (3, 'Genesis', 'Sega', 1989),
  (4, 'GameBoy', 'Nintendo', 1989),
  (5, 'PlayStation', 'Sony', 1994),
  (6, 'N64', 'Nintendo', 1996),
  (7, 'Arcade', 'Various', 1970);

INSERT INTO genres (id, name, description) VALUES
  (1, 'Platformer', 'Run and jump across platforms and over obstacles'),
  (2, 'RPG', 'Character growth, story and choices'),
  (3, 'Action', 'Reflexes, timing and hand-eye coordination'),
  (4, 'Adventure', 'Exploration, puzzles and narrative'),
  (5, 'Fighting', 'One-on-one combat between characters'),
  (6, 'Puzzle', 'Logic and pattern solving'),
  (7, 'Racing', 'Vehicles competing on a track'),
  (8, 'Shooter', 'Aim and fire at enemies or targets');

INSERT INTO games (title, platform_id, genre_id, developer, release_year, year_category, description) VALUES
  ('Super Mario Bros.', 1, 1, 'Nintendo', 1985, '1980s', 'Mario crosses the Mushroom Kingdom to rescue the princess from Bowser.'),
  ('The Legend of Zelda', 1, 4, 'Nintendo', 1986, '1980s', 'Link explores Hyrule to gather the Triforce and defeat Ganon.'),
  ('Sonic the Hedgehog', 3, 1, 'Sega', 1991, '1990s', 'A very fast blue hedgehog collects rings and stops Dr. Robotnik.'),
  ('Final Fantasy VII', 5, 2, 'Square', 1997, '1990s', 'Cloud and his allies take on the Shinra company and Sephiroth.'),
  ('Tetris', 4, 6, 'Nintendo', 1989, '1980s', 'Arrange falling blocks into complete lines before the well fills up.'),
  ('Street Fighter II', 7, 5, 'Capcom', 1991, '1990s', 'The arcade fighter with a cast of characters and special moves.'),
  ('Super Mario 64', 6, 1, 'Nintendo', 1996, '1990s', 'Mario explores a castle in full 3D, collecting Power Stars.'),
  ('Chrono Trigger', 2, 2, 'Square', 1995, '1990s', 'Adventurers travel through time to prevent a world-ending disaster.'),
  ('Pac-Man', 7, 3, 'Namco', 1980, '1980s', 'Eat every dot in the maze while dodging four ghosts.'),
  ('Donkey Kong Country', 2, 1, 'Rare', 1994, '1990s', 'Donkey and Diddy Kong win back their banana hoard from King K. Rool.');
