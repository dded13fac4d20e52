-- event_min_confidence(): the confidence an event report (fact_event_mention.confidence) needs to be shown
-- in the analyst views (v_event_timeline, v_who_met_whom, hence the dashboard). This file is the one place
-- the threshold is set: every run re-creates the macro, so an edit here applies from the next run. The raw
-- tables (fact_event, fact_event_mention) keep every report whatever its confidence.
create or replace macro event_min_confidence() as 0.5;
