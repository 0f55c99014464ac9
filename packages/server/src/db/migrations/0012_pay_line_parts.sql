-- The parts of a split month (TPayPart[]) stored with its pay line, so that 为什么 shows what was
-- paid rather than a recomputation; null for a month of one part and for arrears lines.
ALTER TABLE "pay_line" ADD COLUMN "parts" jsonb;