-- 006_credit_quarters: a key's monthly usage is counted in quarters of a credit, as
-- remove.bg charges a preview 0.25 credits and a full-size image 1 credit. The
-- quota itself (api_keys.quota_month, key_quota_month) stays in whole credits.
ALTER TABLE key_usage RENAME COLUMN images TO quarters;
UPDATE key_usage SET quarters = quarters * 4;
