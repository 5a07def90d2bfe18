-- People search that stays fast at a million people: each way a name can match is an index scan with a limit, and
-- the scope rule is checked only on the rows a name has already narrowed (see searchPeopleQuery in people.repository.ts).

-- "Starts with" on the full name (given names first) and on the family name, read in index order so that a search
-- stops at its limit. In the "C" collation one b-tree serves both LIKE 'prefix%' and ORDER BY ... COLLATE "C".
create index people_full_name_prefix_idx on people ((lower(given_names || ' ' || family_name)) collate "C") where merged_into_id is null;
drop index people_family_name_idx;
create index people_family_name_idx on people ((lower(family_name)) collate "C") where merged_into_id is null;

-- Typos, word by word. Every word of every person's names and other names goes into a dictionary (name_words);
-- a search finds the closest dictionary words to each word typed (trigram index on a small table), then the people
-- whose names hold a close word for every word typed (GIN on the words of their names). A trigram scan of the people
-- table itself would read every "Olivia" and every "Smith" to find "Olvia Smtih".
-- array_to_string is only STABLE (it could call a type's output function); on text[] it cannot change, so these
-- wrappers are declared IMMUTABLE to be indexable.
create function people_alias_text(aliases text[]) returns text language sql immutable parallel safe
  as $$ select lower(array_to_string(aliases, ' | ')) $$;
create function person_name_words(given_names text, family_name text, aliases text[]) returns text[] language sql immutable parallel safe
  as $$ select array(select distinct word from unnest(regexp_split_to_array(
    lower(coalesce(given_names, '') || ' ' || coalesce(family_name, '') || ' ' || array_to_string(aliases, ' ')), '[^[:alnum:]'']+')) word
    where word <> '') $$;
create index people_name_words_idx on people using gin (person_name_words(given_names, family_name, aliases)) where merged_into_id is null;

create table name_words (word text primary key);
create index name_words_trgm on name_words using gin (word gin_trgm_ops);
insert into name_words (word) select distinct unnest(person_name_words(given_names, family_name, aliases)) from people on conflict do nothing;

-- Words are only ever added: a word no one has any more costs a dictionary row and finds nobody.
create function remember_name_words() returns trigger language plpgsql as $$
begin
  insert into name_words (word) select distinct unnest(person_name_words(given_names, family_name, aliases)) from changed_people on conflict do nothing;
  return null;
end $$;
create trigger people_name_words_inserted after insert on people referencing new table as changed_people
  for each statement execute function remember_name_words();
create trigger people_name_words_updated after update on people referencing new table as changed_people
  for each statement execute function remember_name_words();

-- Postcode searches ignore spaces: "LE1 5" and "le15" find LE1 5AA.
create index locations_postcode_prefix_idx on locations (upper(replace(postcode, ' ', '')) text_pattern_ops);
