-- Demo SIP users of the private Kamailio (domain example.test). Development and tests only.
INSERT INTO subscriber (username, domain, password) VALUES
  ('alice', 'example.test', 'alice-secret'),
  ('bob', 'example.test', 'bob-secret'),
  ('carol', 'example.test', 'carol-secret'),
  ('dave', 'example.test', 'dave-secret');
