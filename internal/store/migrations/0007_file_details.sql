-- What a file's result says beyond its values and confidences, as one
-- JSON object: "sources" (how each value was read), and for an e-invoice
-- "einvoice" (the invoice as its XML holds it) and "warnings" (where the
-- page contradicts the XML). NULL until the file has a result.
ALTER TABLE files ADD COLUMN details TEXT;
