-- Tracking numbers are kept in the carriers' canonical upper case
-- (trackpush.CanonicalNumber). Numbers stored before in lower case are
-- folded, one shipment per upper-case spelling: a shipment whose
-- upper-case twin already exists keeps its spelling (merging two
-- shipments' events and subscriptions is left to the operator; the
-- README's Operations section says how to find them).
UPDATE shipments SET nu = upper(nu)
WHERE nu <> upper(nu)
	AND NOT EXISTS (SELECT 1 FROM shipments t WHERE t.com = shipments.com AND t.nu = upper(shipments.nu))
	AND id = (SELECT MIN(t.id) FROM shipments t WHERE t.com = shipments.com AND upper(t.nu) = upper(shipments.nu));
UPDATE subscriptions SET nu = (SELECT h.nu FROM shipments h WHERE h.id = subscriptions.shipment_id)
WHERE nu <> (SELECT h.nu FROM shipments h WHERE h.id = subscriptions.shipment_id);
