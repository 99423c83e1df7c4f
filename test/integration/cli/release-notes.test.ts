// Release notes for the application through the command line: `show` in markdown and json, and `status` (and
// `apply`) naming the application deploy a contract needs before it, and not once it ran.
import { describe, expect, it } from 'vitest';
import { exampleProject } from '../executor/support.js';

const DEPLOY =
  'deploy the version that accepts `public.employees.salary` as `numeric(12,2)` as well as `text`; and that reads and writes `public.users.full_name` instead of `name`; and that no longer reads or writes `public.users.legacy_flag`, then: ';

describe('release notes', () => {
  it('show prints them per release in markdown and as a structured field in json', async () => {
    const p = await exampleProject();
    const md = await p.run('show', p.plan, '--format', 'markdown');
    expect(md.code, md.stderr).toBe(0);
    const release2 = md.stdout.slice(md.stdout.indexOf('## Release 2'), md.stdout.indexOf('## Release 3'));
    expect(release2).toContain(
      [
        '### Application',
        '',
        'The next version may start using:',
        '',
        "- after release 2's contract: `public.employees.salary` as `numeric(12,2)`",
        '',
        "Before release 2's contract:",
        '',
        '- deploy the version that accepts `public.employees.salary` as `numeric(12,2)` as well as `text`: this contract swaps the columns, and the running application sees `salary` change type from `text` to `numeric(12,2)`',
        '- deploy the version that reads and writes `public.users.full_name` instead of `name`: this contract stops keeping `name` in sync and drops it',
        '- deploy the version that no longer reads or writes `public.users.legacy_flag`: this contract drops the column and its values',
        '',
      ].join('\n'),
    );
    const help = await p.run('show', '--help');
    expect(help.stdout).toContain('release notes for the application');
    expect(help.stdout).toContain('.releaseNotes[] | .beforeContract[].version');
    const release3 = md.stdout.slice(md.stdout.indexOf('## Release 3'));
    expect(release3).toContain('### Application\n\nNothing asked of the application.\n');

    const text = await p.run('show', p.plan);
    expect(text.stdout).toContain(
      "release 1 · application\n  the version running during release 1's expand and backfill must tolerate:\n    - new column `public.employees.middle_name`",
    );

    for (const argv of [
      ['show', p.plan, '--format', 'json'],
      ['--json', 'show', p.plan],
    ]) {
      const json = await p.run(...argv);
      expect(json.code, json.stderr).toBe(0);
      const shown = JSON.parse(json.stdout) as {
        checksum: string;
        releaseNotes: { release: number; beforeContract: { version: string; steps: string[] }[] }[];
      };
      expect(shown.checksum).toMatch(/^sha256:/);
      expect(shown.releaseNotes.map((n) => n.release)).toEqual([1, 2, 3]);
      expect(shown.releaseNotes[1]!.beforeContract).toEqual([
        expect.objectContaining({
          version: 'accepts `public.employees.salary` as `numeric(12,2)` as well as `text`',
          steps: ['r2-contract-001'],
        }),
        expect.objectContaining({
          version: 'reads and writes `public.users.full_name` instead of `name`',
          steps: ['r2-contract-003', 'r2-contract-005'],
        }),
        expect.objectContaining({ version: 'no longer reads or writes `public.users.legacy_flag`' }),
      ]);
    }
  });

  it("status's next hint names the deploy before a contract that needs one, and drops it once the contract ran", async () => {
    const p = await exampleProject();
    const rehearsed = await p.run('rehearse', p.plan);
    expect(rehearsed.code, rehearsed.stdout + rehearsed.stderr).toBe(0);

    // Before release 1's expand: a plain command (release 1's contract asks for no deploy).
    const fresh = await p.run('status', p.plan);
    expect(fresh.stdout).toContain(`next: switchyard apply ${p.plan} --release 1 --phase expand\n`);

    for (const phase of ['expand', 'backfill']) {
      const r = await p.run('apply', p.plan, '--release', '1', '--phase', phase);
      expect(r.code, r.stderr).toBe(0);
    }
    const beforeR1Contract = await p.run('status', p.plan);
    expect(beforeR1Contract.stdout).toContain(`next: switchyard apply ${p.plan} --release 1 --phase contract\n`);

    const r1 = await p.run('apply', p.plan, '--release', '1', '--phase', 'contract');
    expect(r1.code, r1.stderr).toBe(0);
    const contract2 = `switchyard apply ${p.plan} --release 2 --phase contract`;
    // apply's own hint says it too.
    expect(r1.stdout).toContain(`next: ${DEPLOY}${contract2}\n`);

    const before = await p.run('status', p.plan);
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toContain(`next: ${DEPLOY}${contract2}\n`);
    const json = JSON.parse((await p.run('--json', 'status', p.plan)).stdout) as { plan: { next: string } };
    expect(json.plan.next).toBe(`${DEPLOY}${contract2}`);

    const r2 = await p.run(
      'apply',
      p.plan,
      '--release',
      '2',
      '--phase',
      'contract',
      '--allow-hazard',
      'DELETES_DATA,BREAKS_OLD_APP',
    );
    expect(r2.code, r2.stderr).toBe(0);
    const after = await p.run('status', p.plan);
    expect(after.stdout).toContain(`next: switchyard apply ${p.plan} --release 3 --phase contract\n`);
    expect(after.stdout).not.toContain('deploy the version');
  });
});
