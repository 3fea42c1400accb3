// ccxt.test.js: CCXT (npm `ccxt`), the most used multi-exchange library, against the local
// exchange with only its URLs changed (and the margin and currency lookups, which live on
// Binance's /sapi, turned off). CCXT maps Binance's error codes and messages to its own error
// classes, so it checks that the exchange's errors read as Binance's do.
'use strict'
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const path = require('node:path')
const ccxt = require('ccxt')

const port = process.env.QUOTER_EXCHANGE_PORT
const ini = fs.readFileSync(path.join(__dirname, '../../examples/exchange.ini'), 'utf8')
const key = ini.match(/^hmac_api_key = (.*)$/m)[1]
const secret = ini.match(/^hmac_secret_key = (.*)$/m)[1]

function client () {
  const ex = new ccxt.binance({
    apiKey: key,
    secret,
    options: { defaultType: 'spot', fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false }
  })
  const base = `http://127.0.0.1:${port}/api/v3`
  ex.urls.api.public = base
  ex.urls.api.private = base
  return ex
}

test('ccxt: markets from exchangeInfo, ticker from ticker/24hr, book, trades, balance', async () => {
  const ex = client()
  const markets = await ex.loadMarkets()
  const m = markets['BTC/USDT']
  assert.ok(m && m.spot && m.active)
  assert.strictEqual(m.precision.price, 0.01) // from PRICE_FILTER tickSize
  assert.strictEqual(m.precision.amount, 0.00001) // from LOT_SIZE stepSize
  assert.strictEqual(m.limits.cost.min, 5) // from NOTIONAL minNotional
  const t = await ex.fetchTicker('BTC/USDT')
  assert.ok(t.bid > 0 && t.ask > t.bid && t.last > 0 && t.high >= t.low && t.baseVolume > 0)
  const book = await ex.fetchOrderBook('BTC/USDT', 5)
  assert.strictEqual(book.bids.length, 5)
  assert.ok(book.bids[0][0] < book.asks[0][0])
  const trades = await ex.fetchTrades('BTC/USDT', undefined, 3) // aggTrades
  assert.strictEqual(trades.length, 3)
  assert.ok(Number(trades[0].id) < Number(trades[2].id))
  const bal = await ex.fetchBalance()
  assert.ok(bal.total.USDT > 0)
})

test('ccxt: a post-only order placed, listed, canceled; a market order filled and in myTrades', async () => {
  const ex = client()
  await ex.loadMarkets()
  const book = await ex.fetchOrderBook('BTC/USDT', 5)
  const below = Math.round((book.bids[0][0] - 2000) * 100) / 100
  const o = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, below, { postOnly: true })
  assert.strictEqual(o.status, 'open')
  assert.ok((await ex.fetchOpenOrders('BTC/USDT')).some((x) => x.id === o.id))
  assert.strictEqual((await ex.cancelOrder(o.id, 'BTC/USDT')).status, 'canceled')
  const filled = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.001)
  assert.strictEqual(filled.status, 'closed')
  assert.strictEqual(filled.filled, 0.001)
  const mine = await ex.fetchMyTrades('BTC/USDT')
  assert.ok(mine.some((x) => x.order === filled.id && x.side === 'buy' && x.takerOrMaker === 'taker'))
  await ex.createOrder('BTC/USDT', 'market', 'sell', 0.001)
})

test('ccxt: Binance errors map to the right ccxt errors', async () => {
  const ex = client()
  await ex.loadMarkets()
  const book = await ex.fetchOrderBook('BTC/USDT', 5)
  // a post-only buy above the best ask would take: -2010 "Order would immediately match and take."
  await assert.rejects(ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, book.asks[0][0] + 10, { postOnly: true }),
    ccxt.OrderImmediatelyFillable)
  // far more than the balance: -2010 "Account has insufficient balance for requested action."
  const below = Math.round((book.bids[0][0] - 2000) * 100) / 100
  await assert.rejects(ex.createOrder('BTC/USDT', 'limit', 'buy', 100, below), ccxt.InsufficientFunds)
  // an unknown order: -2011/-2013
  await assert.rejects(ex.cancelOrder('999999999', 'BTC/USDT'), ccxt.OrderNotFound)
})

test('ccxt.pro: an order book kept by snapshot + diffs (it checks every U/u), trades, 24 h tickers', async () => {
  const ex = new ccxt.pro.binance({
    options: { defaultType: 'spot', fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false }
  })
  ex.urls.api.public = `http://127.0.0.1:${port}/api/v3`
  ex.urls.api.ws.spot = `ws://127.0.0.1:${port}/ws`
  await ex.loadHttpProxyAgent() // ccxt asks for this before plain ws:// URLs
  await ex.loadMarkets()
  try {
    let nonce = 0
    for (let i = 0; i < 5; i++) {
      const ob = await ex.watchOrderBook('BTC/USDT')
      assert.ok(ob.nonce > nonce, 'update ids advance')
      nonce = ob.nonce
      assert.ok(ob.bids[0][0] < ob.asks[0][0], 'the book does not cross')
      assert.ok(ob.bids.length > 100)
    }
    const trades = await ex.watchTrades('BTC/USDT')
    assert.ok(trades.length > 0 && trades[0].price > 0)
    const mini = await ex.watchTicker('BTC/USDT') // <s>@miniTicker
    assert.ok(mini.high >= mini.low && mini.last > 0 && mini.baseVolume > 0)
    const full = await ex.watchTicker('BTC/USDT', { name: 'ticker' }) // <s>@ticker
    assert.ok(full.bid > 0 && full.ask > full.bid && full.last > 0)
  } finally {
    await ex.close()
  }
})

test('ccxt.pro: orders over the WebSocket API, and the user data stream (watchOrders, watchBalance)', async () => {
  const ex = new ccxt.pro.binance({
    apiKey: key,
    secret,
    options: { defaultType: 'spot', fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false }
  })
  ex.urls.api.public = ex.urls.api.private = `http://127.0.0.1:${port}/api/v3`
  ex.urls.api.ws.spot = `ws://127.0.0.1:${port}/ws`
  ex.urls.api.ws['ws-api'].spot = `ws://127.0.0.1:${port}/ws-api/v3`
  await ex.loadHttpProxyAgent()
  await ex.loadMarkets()
  try {
    const book = await ex.fetchOrderBook('BTC/USDT', 5)
    const below = Math.round((book.bids[0][0] - 2000) * 100) / 100
    const watching = ex.watchOrders('BTC/USDT')
    await new Promise((resolve) => setTimeout(resolve, 300)) // let the subscription land first
    const o = await ex.createOrderWs('BTC/USDT', 'limit', 'buy', 0.001, below, { postOnly: true }) // order.place
    assert.strictEqual(o.status, 'open')
    const seen = await watching // executionReport NEW
    assert.ok(seen.some((x) => x.id === o.id && x.status === 'open' && x.price === below))
    const balance = ex.watchBalance() // outboundAccountPosition
    const c = await ex.cancelOrderWs(o.id, 'BTC/USDT') // order.cancel
    assert.strictEqual(c.status, 'canceled')
    const b = await balance
    assert.ok(b.USDT.free > 0 && b.USDT.total >= b.USDT.free)
  } finally {
    await ex.close()
  }
})
