// `npm run docs:security`: writes the route tables into docs/security.md (between the
// generated-section markers), so the document cannot drift from the code; a test checks it.
import { writeFileSync } from 'node:fs';
import { generatedSecurityDoc, SECURITY_DOC } from './lib/security-doc.js';

writeFileSync(SECURITY_DOC, await generatedSecurityDoc());
console.log('docs/security.md: route tables written');
