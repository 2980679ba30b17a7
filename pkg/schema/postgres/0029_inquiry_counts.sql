-- A practice's summary counts the clearinghouse questions asked and
-- answered for that practice over the last 30 days. The indexes of 0028
-- order every practice's inquiries by time; these read one practice's
-- range, whatever the size of the company.
CREATE INDEX clearinghouse_inquiries_practice_asked ON clearinghouse_inquiries (practice_id, asked_at);
CREATE INDEX clearinghouse_inquiries_practice_answered ON clearinghouse_inquiries (practice_id, answered_at);
