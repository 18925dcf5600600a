export { redisStatusChannel } from './status-channel.js'
export type {
  RedisClientLike,
  RedisStatusChannel,
  RedisStatusChannelOptions,
  RedisSubscriberLike,
} from './status-channel.js'
