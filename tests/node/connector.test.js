// connector.test.js: drives quoter's local exchange with Binance's official Node.js
// connector (@binance/connector), unchanged but for its base URLs. Run by tests/node.sh,
// which starts the exchange and passes its address in QUOTER_EXCHANGE_PORT.
'use strict'
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const path = require('node:path')
const { Spot, WebsocketStream, WebsocketAPI } = require('@binance/connector')

const port = process.env.QUOTER_EXCHANGE_PORT
const ini = fs.readFileSync(path.join(__dirname, '../../examples/exchange.ini'), 'utf8')
const key = ini.match(/^hmac_api_key = (.*)$/m)[1]
const secret = ini.match(/^hmac_secret_key = (.*)$/m)[1]
const baseURL = `http://127.0.0.1:${port}`
const wsURL = `ws://127.0.0.1:${port}`
const quiet = { debug () {}, info () {}, warn () {}, error () {}, log () {} }
const client = new Spot(key, secret, { baseURL, logger: quiet })

// resolves with the first message for which `pick` returns a value, or rejects after ms
function waitFor (subscribe, pick, ms = 8000) {
  return new Promise((resolve, reject) => {
    let ws
    const timer = setTimeout(() => { ws && ws.disconnect(); reject(new Error('timed out')) }, ms)
    ws = subscribe((raw) => {
      const v = pick(JSON.parse(raw))
      if (v !== undefined) { clearTimeout(timer); ws.disconnect(); resolve(v) }
    })
  })
}

test('REST market data', async () => {
  const time = await client.time()
  assert.ok(Math.abs(time.data.serverTime - Date.now()) < 5000)
  const depth = await client.depth('BTCUSDT', { limit: 5 })
  assert.strictEqual(depth.data.bids.length, 5)
  assert.strictEqual(depth.data.asks.length, 5)
  assert.ok(Number(depth.data.bids[0][0]) < Number(depth.data.asks[0][0]))
  const bt = await client.bookTicker('BTCUSDT')
  assert.strictEqual(bt.data.symbol, 'BTCUSDT')
})

test('WebSocket market data', async () => {
  const u = await waitFor((onMessage) => {
    const ws = new WebsocketStream({ logger: quiet, wsURL, callbacks: { message: onMessage } })
    ws.bookTicker('btcusdt')
    return ws
  }, (m) => m.u ? m : undefined)
  assert.strictEqual(u.s, 'BTCUSDT')
  assert.ok(Number(u.b) < Number(u.a))
  const t = await waitFor((onMessage) => {
    const ws = new WebsocketStream({ logger: quiet, wsURL, combinedStreams: true, callbacks: { message: onMessage } })
    ws.trade('btcusdt')
    return ws
  }, (m) => m.stream === 'btcusdt@trade' ? m.data : undefined)
  assert.strictEqual(t.e, 'trade')
})

test('a signed LIMIT_MAKER order: placed, in openOrders, canceled, with its executionReports', async () => {
  const listenKey = (await client.createListenKey()).data.listenKey
  const reports = []
  let user
  const gotCancel = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no CANCELED executionReport')), 8000)
    user = new WebsocketStream({
      logger: quiet,
      wsURL,
      callbacks: {
        message: (raw) => {
          const e = JSON.parse(raw)
          // as Binance sends them: a cancel's report carries the canceled order's id in C
          // (its c is the cancel request's own client id)
          const mine = e.e === 'executionReport' && (e.c === 'node-1' || e.C === 'node-1')
          if (mine) reports.push(e)
          if (mine && e.x === 'CANCELED' && e.C === 'node-1' && e.c !== 'node-1') { clearTimeout(timer); resolve() }
        }
      }
    })
    user.userData(listenKey)
  })
  await new Promise((resolve) => setTimeout(resolve, 300))
  const bid = Number((await client.bookTicker('BTCUSDT')).data.bidPrice)
  const price = (bid - 20).toFixed(2)
  const placed = await client.newOrder('BTCUSDT', 'BUY', 'LIMIT_MAKER', { price, quantity: '0.001', newClientOrderId: 'node-1' })
  assert.strictEqual(placed.data.status, 'NEW')
  assert.strictEqual(placed.data.price, Number(price).toFixed(8))
  const open = await client.openOrders({ symbol: 'BTCUSDT' })
  assert.ok(open.data.some((o) => o.clientOrderId === 'node-1'))
  const canceled = await client.cancelOrder('BTCUSDT', { origClientOrderId: 'node-1' })
  assert.strictEqual(canceled.data.status, 'CANCELED')
  await gotCancel
  user.disconnect()
  assert.deepStrictEqual(reports.map((r) => r.x), ['NEW', 'CANCELED'])
  // a post-only order that would take is refused as Binance refuses it
  const ask = Number((await client.bookTicker('BTCUSDT')).data.askPrice)
  await assert.rejects(client.newOrder('BTCUSDT', 'BUY', 'LIMIT_MAKER', { price: (ask + 5).toFixed(2), quantity: '0.001' }),
    (err) => err.response && err.response.data.code === -2010)
})

test('WebSocket API: a signed account.status', async () => {
  const result = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), 8000)
    const api = new WebsocketAPI(key, secret, {
      logger: quiet,
      wsURL: `${wsURL}/ws-api/v3`,
      callbacks: {
        open: (a) => a.account(),
        message: (raw) => { clearTimeout(timer); api.disconnect(); resolve(JSON.parse(raw)) }
      }
    })
  })
  assert.strictEqual(result.status, 200)
  assert.ok(result.result.balances.some((b) => b.asset === 'BTC'))
})
