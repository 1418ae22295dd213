-- Keys are now also "pair:<address> <email>" (an account tried from one
-- client address). A key whose failures pass a looser ceiling (the account
-- key, tried from anywhere) is slowed rather than locked: one attempt at a
-- time, each no earlier than next_attempt_at, which grows with the failures.
ALTER TABLE login_failures ADD COLUMN next_attempt_at timestamptz;
