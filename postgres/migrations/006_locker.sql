-- Parcels left at a locker or station (501) are settled as signed there
-- (304) after the locker wait: the sweep finds them by when they last
-- changed.
CREATE INDEX shipments_locker ON shipments (changed_at) WHERE state = 501 AND NOT finished;
