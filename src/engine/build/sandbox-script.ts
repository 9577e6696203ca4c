/**
 * The shell scripts that set a RUN sandbox up, run by the host's /bin/sh in the run folder (upper/,
 * work/, init/, lower/, sandbox/, hosts, resolv.conf). Each step first names itself on the control
 * channel (fd 3) and sends its errors there (fd 2 is kept as fd 4 for the command), so a failure can
 * be told apart from the command's own exit code and explained.
 *
 * Stage 1, in a new mount namespace (and, for an ordinary user, a new user namespace): bind the image's
 * root filesystem to lower/ (a path the sandbox's root can reach, whatever the folders above it allow),
 * then, for a root run, enter the holder's user namespace as its root, and create the mount, PID, UTS,
 * IPC and optionally network namespaces of stage 2.
 *
 * Stage 2, as PID 1 of the new PID namespace: mount a small tmpfs as the sandbox's root, holding the
 * host's /usr read-only (and the /bin, /lib... links or folders) for the programs that finish the setup, and the
 * overlay (lower: init/ over the image; upper and work: the change) at /m, with /proc, a tmpfs /dev
 * holding the host's null, zero, full, random, urandom and tty, /dev/shm, /dev/pts, and /etc/hosts and
 * /etc/resolv.conf for the default network. Then pivot_root into the tmpfs and detach the host's root:
 * nothing of the host is reachable afterwards. Last, `env -i` sets the command's environment exactly,
 * setpriv its groups, and unshare chroots into /m, changes to the working folder, drops to the user and
 * execs the command, which stays PID 1. Escaping the chroot would only reach the tmpfs.
 */

/** What the scripts need to know beyond the values passed in the environment. */
export interface ScriptPlan {
  /** Stage 1 enters the holder's user namespace (root runs); otherwise it already runs in a user namespace of its own. */
  enterUserNamespace: boolean;
  network: 'default' | 'none';
  /** Host programs. */
  tools: { sh: string; nsenter: string; setpriv: string; unshare: string; ip?: string; hostname?: string };
  /** What of the host's root the sandbox's tmpfs root needs: folders to bind, links to copy. */
  hostRoot: { name: string; link?: string }[];
  /** True when the host has /etc/ld.so.cache, which the host programs' loader reads. */
  ldCache: boolean;
  /** Create the working folder (its path inside the image is in BERTH_WORKDIR). */
  makeWorkdir: boolean;
}

/** The hostname of the sandbox, BuildKit's. */
export const SANDBOX_HOSTNAME = 'buildkitsandbox';

/** Stage 1; its positional parameters are the command line stage 2 ends with. Reads BERTH_LOWER, BERTH_HOLDER, BERTH_STAGE2. */
export function stage1Script(plan: ScriptPlan): string {
  const namespaces = ['--mount', '--pid', '--fork', '--kill-child', '--uts', '--ipc', ...(plan.network === 'none' ? ['--net'] : [])];
  const enter = plan.enterUserNamespace ? `${q(plan.tools.nsenter)} --user="/proc/$BERTH_HOLDER/ns/user" -- ` : '';
  return [
    'exec 4>&2 2>&3',
    'umask 022',
    step('lower'),
    'mount -c --bind -- "$BERTH_LOWER" lower || exit 1',
    step('namespaces'),
    `exec ${enter}${q(plan.tools.setpriv)} --pdeathsig KILL -- ${q(plan.tools.unshare)} ${namespaces.join(' ')} -- ${q(plan.tools.sh)} -c "$BERTH_STAGE2" berth-sandbox "$@"`,
  ].join('\n');
}

/** Stage 2; its positional parameters are the command line it execs once the sandbox is ready. Reads BERTH_WORKDIR. */
export function stage2Script(plan: ScriptPlan): string {
  const m = 'sandbox/m';
  const lines = [
    'umask 022',
    'echo @pid >&3',
    step('root'),
    'mount -c -t tmpfs -o mode=0755,size=1m berth-sandbox sandbox || exit 1',
    // umount reads /proc/self/mountinfo, so the sandbox's root has its own /proc as well
    'mkdir sandbox/m sandbox/proc && mount -c -t proc -o nosuid,nodev,noexec proc sandbox/proc || exit 1',
    ...plan.hostRoot.map((e) => (e.link !== undefined
      ? `ln -s -- ${q(e.link)} ${q(`sandbox/${e.name}`)} || exit 1`
      : `mkdir ${q(`sandbox/${e.name}`)} && mount -c --rbind ${q(`/${e.name}`)} ${q(`sandbox/${e.name}`)} && mount -c -o remount,bind,ro ${q(`sandbox/${e.name}`)} || exit 1`)),
    ...(plan.ldCache ? ['mkdir sandbox/etc && : > sandbox/etc/ld.so.cache && mount -c --bind /etc/ld.so.cache sandbox/etc/ld.so.cache || exit 1'] : []),
    step('overlay'),
    `mount -c -t overlay overlay -o lowerdir=init:lower,upperdir=upper,workdir=work,userxattr ${m} || exit 1`,
    step('proc'),
    `mount -c -t proc -o nosuid,nodev,noexec proc ${m}/proc || exit 1`,
    step('dev'),
    `mount -c -t tmpfs -o nosuid,noexec,mode=0755,size=64k berth-dev ${m}/dev || exit 1`,
    `for d in null zero full random urandom tty; do : > ${m}/dev/$d && mount -c --bind /dev/$d ${m}/dev/$d || exit 1; done`,
    `mkdir ${m}/dev/shm ${m}/dev/pts || exit 1`,
    `ln -s /proc/self/fd ${m}/dev/fd && ln -s /proc/self/fd/0 ${m}/dev/stdin && ln -s /proc/self/fd/1 ${m}/dev/stdout && ln -s /proc/self/fd/2 ${m}/dev/stderr && ln -s pts/ptmx ${m}/dev/ptmx || exit 1`,
    `mount -c -t tmpfs -o nosuid,nodev,noexec,mode=1777,size=65536k shm ${m}/dev/shm || exit 1`,
    `mount -c -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts ${m}/dev/pts 2>/dev/null || :`,
    step('network'),
    ...(plan.network === 'default'
      ? [`mount -c --bind hosts ${m}/etc/hosts && mount -c --bind resolv.conf ${m}/etc/resolv.conf || exit 1`]
      : plan.tools.ip ? [`${q(plan.tools.ip)} link set lo up || exit 1`] : []),
    ...(plan.tools.hostname ? [`${q(plan.tools.hostname)} ${SANDBOX_HOSTNAME} || exit 1`] : []),
    ...(plan.makeWorkdir ? [step('workdir'), `mkdir -p -- "${m}/$BERTH_WORKDIR" || exit 1`] : []),
    step('pivot'),
    'cd -P sandbox && pivot_root . . && umount -l . || exit 1',
    'echo @ready >&3',
    'exec "$@" 2>&4 3>&- 4>&-',
  ];
  return lines.join('\n');
}

function step(name: string): string {
  return `echo @step ${name} >&3`;
}

/** Quotes a word for the shell. */
export function q(word: string): string {
  return /^[A-Za-z0-9_./=:@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
