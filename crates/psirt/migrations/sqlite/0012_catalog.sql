-- The catalog in full: products get a slug (their public URL) and a description, models a
-- description and an end of support, versions a support status; the instant an end of support
-- was announced (for the EOS feed); one version string per product and model. A case's
-- affected or fixed entry may be a range read under the product's version order. Which catalog
-- versions each published advisory names, as published (release notes, product feeds).
ALTER TABLE products ADD COLUMN slug TEXT;
ALTER TABLE products ADD COLUMN description TEXT;
UPDATE products SET slug = id WHERE slug IS NULL;
UPDATE products SET version_scheme = 'dotted' WHERE version_scheme IS NULL;
CREATE UNIQUE INDEX products_slug ON products (slug);

ALTER TABLE product_models ADD COLUMN description TEXT;
ALTER TABLE product_models ADD COLUMN eos_at BIGINT;
ALTER TABLE product_models ADD COLUMN eos_announced_at BIGINT;

ALTER TABLE product_versions ADD COLUMN support_status TEXT;
ALTER TABLE product_versions ADD COLUMN eos_announced_at BIGINT;
UPDATE product_versions SET support_status = CASE WHEN supported = 1 THEN 'supported' ELSE 'unsupported' END;
CREATE UNIQUE INDEX product_versions_unique ON product_versions (product_id, COALESCE(model_id, ''), version);
CREATE INDEX product_versions_eos ON product_versions (eos_at);

ALTER TABLE case_versions ADD COLUMN is_range BIGINT NOT NULL DEFAULT 0;
CREATE INDEX case_versions_product ON case_versions (product, version);

CREATE TABLE advisory_versions (
    advisory_id TEXT NOT NULL REFERENCES advisories(id),
    product_id TEXT NOT NULL REFERENCES products(id),
    version TEXT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (advisory_id, product_id, version, status)
);
CREATE INDEX advisory_versions_product ON advisory_versions (product_id, version);
