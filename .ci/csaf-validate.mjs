// Validates CSAF 2.0 documents with BSI's csaf-validator-lib (Secvisogram) in strict mode:
// the strict CSAF 2.0 schema (test 6.1.8) and every mandatory test 6.1.x.
// Usage: node .ci/csaf-validate.mjs FILE...   Exit 1 if any file fails a test, 2 on bad usage.
import { readFile } from 'node:fs/promises'
import validateStrict from '@secvisogram/csaf-validator-lib/validateStrict.js'
import * as mandatory from '@secvisogram/csaf-validator-lib/mandatoryTests.js'
import { csaf_2_0_strict } from '@secvisogram/csaf-validator-lib/schemaTests.js'

const files = process.argv.slice(2)
if (files.length === 0) {
  console.error('usage: node csaf-validate.mjs FILE...')
  process.exit(2)
}

// Every mandatory test 6.1.x (6.1.8 is the CSAF schema) plus the strict schema, which also
// rejects properties the schema does not define (as full.js does).
const tests = [...Object.values(mandatory), csaf_2_0_strict]

let failed = 0
for (const file of files) {
  const doc = JSON.parse(await readFile(file, 'utf8'))
  const result = await validateStrict(tests, doc)
  const bad = result.tests.filter((t) => !t.isValid)
  if (bad.length === 0) {
    console.log(`ok   ${file} (${result.tests.length} tests)`)
    continue
  }
  failed += 1
  console.log(`FAIL ${file}`)
  for (const t of bad) {
    for (const e of t.errors) console.log(`  ${t.name} ${e.instancePath}: ${e.message}`)
  }
}
console.log(`${files.length - failed}/${files.length} CSAF documents pass ${tests.length} tests`)
process.exit(failed === 0 ? 0 : 1)
