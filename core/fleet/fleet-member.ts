import { isSwitchoverRunning } from '../phases.js'
import type { BlueGreenSnapshot } from '../types.js'
import type { FleetMemberDeps, FleetRole } from './member-deps.js'
import type { StatusChannelLease } from './status-channel.js'
import { LEASE_TTL_MS, heartbeatMs, staleMs, timed } from './timing.js'
import { blind, decodeResign, decodeStatus, encodeResign, encodeStatus } from './wire.js'
import type { SharedStatus } from './wire.js'

/**
 * One process's part in a fleet for one deployment (README, "Fleets: the Redis status channel"). Safety first:
 * whenever the channel fails or goes quiet, the process monitors on its own, exactly as without a channel. Every
 * timer is the clock's (unref'd); `stop()` cancels them all at once and never waits for the channel.
 *
 * @example
 * ```ts
 * const member = new FleetMember({ bgdId, channel, options, clock, logger, snapshot, startMonitors, stopMonitors, apply })
 * member.start()
 * member.stop()
 * ```
 */
export class FleetMember {
  readonly #deps: FleetMemberDeps
  #role: FleetRole = 'joining'
  #lease: StatusChannelLease | undefined
  /** Highest epoch heard; statuses from older epochs are ignored. */
  #maxEpoch = 0
  #applied: { readonly epoch: number; readonly sequence: number } | undefined
  /** The last status heard from the current epoch, and when (monotonic ms). */
  #heard: { readonly status: SharedStatus; readonly at: number } | undefined
  #unsubscribe: (() => void) | undefined
  #subscribing = false
  #cancelTick: (() => void) | undefined
  #cancelStale: (() => void) | undefined
  #cancelHeartbeat: (() => void) | undefined
  #cancelJitter: (() => void) | undefined
  readonly #warned = new Set<string>()

  constructor(deps: FleetMemberDeps) {
    this.#deps = deps
  }

  get role(): FleetRole {
    return this.#role
  }

  start(): void {
    if (this.#role !== 'joining' || this.#cancelTick !== undefined) return
    this.#tick()
  }

  /** Subscribes (again after a failure); a subscription that answers after its timeout is still kept. */
  #subscribe(): void {
    if (this.#unsubscribe !== undefined || this.#subscribing) return
    this.#subscribing = true
    const listener = {
      status: (payload: string) => this.#onPayload(payload),
      error: (err: Error) => this.#onError(err),
    }
    const subscribed = this.#deps.channel.subscribe(this.#deps.bgdId, listener)
    subscribed.then(
      (unsubscribe) => {
        this.#subscribing = false
        if (this.#role === 'stopped') unsubscribe()
        else this.#unsubscribe = unsubscribe
      },
      () => (this.#subscribing = false),
    )
    this.#timed(subscribed).catch((err: unknown) => this.#onError(err))
  }

  /** The coordinator published `snapshot` (a change): the leader tells the fleet at once. */
  published(snapshot: BlueGreenSnapshot): void {
    if (this.#role === 'leader') this.#publish(snapshot)
  }

  /** Cancels every timer and the subscription at once; a held lease is given up in the background. */
  stop(): void {
    if (this.#role === 'stopped') return
    const lease = this.#role === 'leader' ? this.#lease : undefined
    this.#role = 'stopped'
    for (const cancel of [this.#cancelTick, this.#cancelStale, this.#cancelHeartbeat, this.#cancelJitter])
      cancel?.()
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    if (lease === undefined) return
    // Tell the followers, so one takes over now instead of every one going stale and monitoring on its own.
    const { channel, bgdId } = this.#deps
    void channel
      .publish(bgdId, lease, encodeResign(bgdId, lease.epoch), 1)
      .catch(() => false)
      .then(() => channel.releaseLease(bgdId, lease))
      .catch(() => undefined)
  }

  /** The lease loop: the leader renews, every other member tries to take the lease. */
  #tick(): void {
    this.#cancelTick = undefined
    if (this.#role === 'stopped') return
    this.#subscribe()
    const { channel, bgdId } = this.#deps
    const lease = this.#lease
    const work =
      this.#role === 'leader' && lease !== undefined
        ? this.#timed(channel.renewLease(bgdId, lease, LEASE_TTL_MS)).then((held) => {
            if (!held) this.#demote('its lease lapsed')
          })
        : this.#timed(channel.acquireLease(bgdId, LEASE_TTL_MS)).then((got) => this.#elected(got))
    void work
      .catch((err: unknown) => this.#onError(err))
      .finally(() => {
        if (this.#role === 'stopped') return
        const leading = this.#role === 'leader'
        const delay = leading ? LEASE_TTL_MS / 3 : LEASE_TTL_MS + this.#jitter()
        this.#cancelTick?.()
        this.#cancelTick = this.#deps.clock.timer(delay, () => this.#tick())
      })
  }

  #elected(lease: StatusChannelLease | undefined): void {
    if (this.#role === 'stopped') {
      if (lease !== undefined)
        void this.#deps.channel.releaseLease(this.#deps.bgdId, lease).catch(() => undefined)
      return
    }
    if (lease !== undefined) return this.#lead(lease)
    if (this.#role === 'joining') return this.#follow()
    // Back from a fallback only between switchovers, and only to a leader that is heard.
    if (this.#role === 'fallback' && this.#fresh() && !isSwitchoverRunning(this.#deps.snapshot().phase))
      this.#follow()
  }

  #lead(lease: StatusChannelLease): void {
    this.#lease = lease
    this.#maxEpoch = Math.max(this.#maxEpoch, lease.epoch)
    this.#role = 'leader'
    this.#cancelStale?.()
    this.#cancelJitter?.()
    this.#deps.logger.info(`${this.#tag()} leads the fleet (epoch ${lease.epoch}): this process monitors.`)
    this.#deps.startMonitors()
    this.#publish(this.#deps.snapshot())
  }

  #follow(): void {
    this.#role = 'follower'
    this.#cancelJitter?.()
    this.#cancelHeartbeat?.()
    this.#deps.stopMonitors()
    this.#deps.logger.info(`${this.#tag()} follows the fleet's leader: no monitoring connection here.`)
    const heard = this.#heard
    if (heard !== undefined && blind(heard.status))
      return this.#fallback('the fleet leader cannot read the metadata')
    if (heard !== undefined) this.#applyStatus(heard.status)
    this.#armStale(heard === undefined ? undefined : heard.at)
    if (heard !== undefined) return
    void this.#timed(this.#deps.channel.latest(this.#deps.bgdId)).then(
      (payload) => {
        if (payload !== undefined) this.#onPayload(payload)
      },
      (err: unknown) => this.#onError(err),
    )
  }

  /** Monitors on its own: the channel failed or went quiet. Starts after a jitter so a fleet does not stampede. */
  #fallback(reason: string): void {
    if (this.#role === 'fallback' || this.#role === 'stopped') return
    if (this.#role === 'leader')
      return this.#warnOnce('leader', `status channel failing (${reason}); this process keeps monitoring`)
    this.#role = 'fallback'
    this.#cancelStale?.()
    this.#deps.logger.warn(`${this.#tag()} ${reason}: this process monitors on its own.`)
    this.#cancelJitter = this.#deps.clock.timer(this.#jitter(), () => {
      this.#cancelJitter = undefined
      if (this.#role === 'fallback') this.#deps.startMonitors()
    })
  }

  /** The lease is gone: follow, unless a switchover is running here (then keep monitoring until it is over). */
  #demote(reason: string): void {
    if (this.#role !== 'leader') return
    this.#lease = undefined
    this.#cancelHeartbeat?.()
    this.#role = 'fallback'
    this.#deps.logger.warn(`${this.#tag()} no longer leads (${reason}).`)
    if (!isSwitchoverRunning(this.#deps.snapshot().phase) && this.#fresh()) this.#follow()
  }

  #onPayload(payload: string): void {
    if (this.#role === 'stopped') return
    const status = decodeStatus(payload, this.#deps.bgdId)
    const resigned = status === undefined ? decodeResign(payload, this.#deps.bgdId) : undefined
    if (resigned !== undefined) return this.#onResign(resigned)
    if (status === undefined) return this.#warnOnce('malformed', 'ignored a status it cannot read')
    if (status.epoch < this.#maxEpoch) return
    if (this.#role === 'leader') {
      if (status.epoch > (this.#lease?.epoch ?? 0)) this.#demote(`epoch ${status.epoch} leads now`)
      if (this.#role === 'leader') return
    }
    this.#maxEpoch = status.epoch
    this.#heard = { status, at: this.#deps.clock.now() }
    if (this.#role !== 'follower') return
    if (blind(status)) return this.#fallback('the fleet leader cannot read the metadata')
    this.#applyStatus(status)
    this.#armStale(this.#heard.at)
  }

  /** The leader stopped and gave its lease up: try to take it after a jitter (the first one wins). */
  #onResign(epoch: number): void {
    if (epoch < this.#maxEpoch || this.#role === 'leader') return
    this.#cancelTick?.()
    this.#cancelTick = this.#deps.clock.timer(this.#jitter(), () => this.#tick())
  }

  #applyStatus(status: SharedStatus): void {
    const last = this.#applied
    if (last !== undefined && status.epoch === last.epoch && status.sequence <= last.sequence) return
    this.#applied = { epoch: status.epoch, sequence: status.sequence }
    this.#deps.apply(status)
  }

  #onError(err: unknown): void {
    if (this.#role === 'stopped') return
    // A failed connection's subscription is dropped; the lease loop subscribes again.
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    const message = err instanceof Error ? err.message : String(err)
    this.#fallback(`status channel failed: ${message.slice(0, 200)}`)
  }

  /** A follower that hears nothing fresh for the staleness of its phase monitors on its own. */
  #armStale(since: number | undefined): void {
    this.#cancelStale?.()
    const limit =
      since === undefined ? this.#firstStatusMs() : staleMs(this.#deps.options, this.#deps.snapshot().phase)
    const wait = Math.max(0, (since ?? this.#deps.clock.now()) + limit - this.#deps.clock.now())
    this.#cancelStale = this.#deps.clock.timer(wait, () => {
      this.#cancelStale = undefined
      if (this.#role === 'follower') this.#fallback(`no fresh status for ${limit} ms`)
    })
  }

  /** A status from the current leader, recent, and from monitors that can read the metadata. */
  #fresh(): boolean {
    const heard = this.#heard
    if (heard === undefined || heard.status.epoch < this.#maxEpoch || blind(heard.status)) return false
    return this.#deps.clock.now() - heard.at < staleMs(this.#deps.options, heard.status.phase)
  }

  #publish(snapshot: BlueGreenSnapshot): void {
    const lease = this.#lease
    // Nothing read yet (a new leader's first moments): followers keep what they have.
    if (lease === undefined || snapshot.armed.code === 'starting') return this.#beat(snapshot)
    const { channel, bgdId } = this.#deps
    const ttl = staleMs(this.#deps.options, snapshot.phase)
    this.#timed(channel.publish(bgdId, lease, encodeStatus(snapshot, lease.epoch), ttl)).then(
      (held) => {
        if (!held && this.#lease === lease) this.#demote('another process holds the lease')
      },
      (err: unknown) => this.#onError(err),
    )
    this.#beat(snapshot)
  }

  /** Heartbeats repeat the latest status, so followers can tell a quiet deployment from a dead leader. */
  #beat(snapshot: BlueGreenSnapshot): void {
    this.#cancelHeartbeat?.()
    const beat = heartbeatMs(this.#deps.options, snapshot.phase)
    this.#cancelHeartbeat = this.#deps.clock.timer(beat, () => {
      this.#cancelHeartbeat = undefined
      if (this.#role === 'leader') this.#publish(this.#deps.snapshot())
    })
  }

  /** Before the first status: as long as while a deployment exists (a leader publishes at once). */
  #firstStatusMs(): number {
    return this.#deps.options.channelStaleMs ?? 3 * this.#deps.options.increasedMs
  }

  #jitter(): number {
    return Math.floor((this.#deps.random ?? Math.random)() * this.#deps.options.highMs)
  }

  #timed<T>(operation: Promise<T>): Promise<T> {
    return timed(this.#deps.clock, operation)
  }

  #warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return
    this.#warned.add(key)
    this.#deps.logger.warn(`${this.#tag()} ${message}.`)
  }

  #tag(): string {
    return `[bgdId: '${this.#deps.bgdId}']`
  }
}
