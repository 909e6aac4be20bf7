import * as fs from 'fs';
import * as path from 'path';

// The README is 80 KB: its table of contents must reach every section, and no link may point
// at a heading that is gone (GitHub's anchors: lower case, punctuation dropped, spaces as '-').
const README = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8');
const withoutCode = README.replace(/```[\s\S]*?```/g, '');
const headings = [...withoutCode.matchAll(/^(#{2,4}) (.+)$/gm)].map((m) => ({ level: m[1].length, text: m[2].trim() }));
const anchor = (text: string) => text.toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
const contents = withoutCode.slice(withoutCode.indexOf('## Contents'), withoutCode.indexOf('\n## ', withoutCode.indexOf('## Contents') + 1));

test('the table of contents links every top-level section, in the order of the README', () => {
  const sections = headings.filter((h) => h.level === 2 && h.text !== 'Contents').map((h) => anchor(h.text));
  const linked = [...contents.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
  expect(new Set(linked)).toEqual(new Set(sections));
  expect(linked).toEqual(sections);
});

test('every link to a heading of the README finds it', () => {
  const anchors = new Set(headings.map((h) => anchor(h.text)));
  const links = [...withoutCode.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
  expect(links.length).toBeGreaterThan(10);
  expect(links.filter((link) => !anchors.has(link))).toEqual([]);
});
