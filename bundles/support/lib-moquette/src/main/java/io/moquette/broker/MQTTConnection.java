/*
 * Copyright (c) 2012-2018 The original author or authors
 * ------------------------------------------------------
 * All rights reserved. This program and the accompanying materials
 * are made available under the terms of the Eclipse Public License v1.0
 * and Apache License v2.0 which accompanies this distribution.
 *
 * The Eclipse Public License is available at
 * http://www.eclipse.org/legal/epl-v10.html
 *
 * The Apache License v2.0 is available at
 * http://www.opensource.org/licenses/apache2.0.php
 *
 * You may elect to redistribute this code under either of these licenses.
 *
 * CPNS: patched copy of Moquette 0.17's class (see lib-moquette's pom); changes marked "CPNS:".
 */
package io.moquette.broker;

import io.cpns.moquette.BrokerEvents;
import io.moquette.BrokerConstants;
import io.moquette.broker.subscriptions.Topic;
import io.moquette.broker.security.IAuthenticator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.mqtt.*;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.*;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.netty.channel.ChannelFutureListener.CLOSE_ON_FAILURE;
import static io.netty.channel.ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE;
import static io.netty.handler.codec.mqtt.MqttConnectReturnCode.*;
import static io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader.from;
import static io.netty.handler.codec.mqtt.MqttQoS.*;

final class MQTTConnection {

    private static final Logger LOG = LoggerFactory.getLogger(MQTTConnection.class);

    static final boolean sessionLoopDebug = Boolean.parseBoolean(System.getProperty("moquette.session_loop.debug", "false"));

    final Channel channel;
    private final BrokerConfiguration brokerConfig;
    private final IAuthenticator authenticator;
    private final SessionRegistry sessionRegistry;
    private final PostOffice postOffice;
    private volatile boolean connected;
    private final AtomicInteger lastPacketId = new AtomicInteger(0);
    private Session bindedSession;
    private boolean connectSeen; // CPNS: on the Netty thread only
    // CPNS: the client id of a CONNECT queued on its session loop and not yet handled there
    private volatile String pendingClientId;

    MQTTConnection(Channel channel, BrokerConfiguration brokerConfig, IAuthenticator authenticator,
                   SessionRegistry sessionRegistry, PostOffice postOffice) {
        this.channel = channel;
        this.brokerConfig = brokerConfig;
        this.authenticator = authenticator;
        this.sessionRegistry = sessionRegistry;
        this.postOffice = postOffice;
        this.connected = false;
    }

    IAuthenticator authenticator() {
        return authenticator;
    }

    void handleMessage(MqttMessage msg) {
        MqttMessageType messageType = msg.fixedHeader().messageType();
        LOG.debug("Received MQTT message, type: {}", messageType);
        // CPNS: nothing but a CONNECT before the CONNECT is accepted, and only one CONNECT ([MQTT-3.1.0-1/2]);
        // 0.17 handled them with no session bound (NullPointerException) or re-ran the CONNECT
        if (messageType == MqttMessageType.CONNECT && connectSeen) {
            Closing.close(channel, "a second CONNECT on one connection");
            return;
        }
        final String pending = pendingClientId;
        if (messageType != MqttMessageType.CONNECT && !connected && pending == null) {
            if (messageType == MqttMessageType.DISCONNECT) {
                channel.close().addListener(CLOSE_ON_FAILURE);
            } else {
                Closing.close(channel, messageType + " before the CONNECT was accepted");
            }
            return;
        }
        if (messageType == MqttMessageType.PUBLISH && authenticator instanceof BrokerEvents
            && !((BrokerEvents) authenticator).mayPublish(NettyUtils.userName(channel),
                ((MqttPublishMessage) msg).variableHeader().topicName())) {
            // CPNS: refused here, on the Netty thread; 0.17 queued every PUBLISH on the session loop first
            LOG.debug("PUBLISH on {} dropped: not allowed", ((MqttPublishMessage) msg).variableHeader().topicName());
            return;
        }
        if (messageType != MqttMessageType.CONNECT && !connected) {
            // CPNS: a client may send on without waiting for its CONNACK (MQTT 3.1.1 §3.1.4): what comes after
            // its CONNECT, before that is handled, waits behind it on the session loop. 0.17 closed the
            // connection instead ("SUBSCRIBE received on already closed connection")
            ReferenceCountUtil.retain(msg);
            PostOffice.RouteResult queued = postOffice.routeCommand(pending, "after CONN", () -> {
                try {
                    if (connected) {
                        handleMessage(msg);
                    } else {
                        Closing.close(channel, messageType + " before the CONNECT was accepted");
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
                return null;
            });
            if (!queued.isSuccess()) {
                ReferenceCountUtil.release(msg);
                Closing.close(channel, "broker busy: its session queue is full");
            }
            return;
        }
        switch (messageType) {
            case CONNECT:
                processConnect((MqttConnectMessage) msg);
                break;
            case SUBSCRIBE:
                processSubscribe((MqttSubscribeMessage) msg);
                break;
            case UNSUBSCRIBE:
                processUnsubscribe((MqttUnsubscribeMessage) msg);
                break;
            case PUBLISH:
                processPublish((MqttPublishMessage) msg);
                break;
            case PUBREC:
                processPubRec(msg);
                break;
            case PUBCOMP:
                processPubComp(msg);
                break;
            case PUBREL:
                processPubRel(msg);
                break;
            case DISCONNECT:
                processDisconnect(msg);
                break;
            case PUBACK:
                processPubAck(msg);
                break;
            case PINGREQ:
                MqttFixedHeader pingHeader = new MqttFixedHeader(MqttMessageType.PINGRESP, false, AT_MOST_ONCE,
                                                                false, 0);
                MqttMessage pingResp = new MqttMessage(pingHeader);
                channel.writeAndFlush(pingResp).addListener(CLOSE_ON_FAILURE);
                break;
            default:
                // CPNS: a packet only a server sends (CONNACK, SUBACK, ...) ends the connection, without an error line
                Closing.close(channel, "unexpected " + messageType + " from a client");
                break;
        }
    }

    private void processPubComp(MqttMessage msg) {
        final int messageID = ((MqttMessageIdVariableHeader) msg.variableHeader()).messageId();
        final String clientID = bindedSession.getClientID();
        this.postOffice.routeCommand(clientID, "PUBCOMP", () -> {
            checkMatchSessionLoop(clientID);
            bindedSession.processPubComp(messageID);
            return clientID;
        });
    }

    private void processPubRec(MqttMessage msg) {
        final int messageID = ((MqttMessageIdVariableHeader) msg.variableHeader()).messageId();
        final String clientID = bindedSession.getClientID();
        this.postOffice.routeCommand(clientID, "PUBREC", () -> {
            checkMatchSessionLoop(clientID);
            bindedSession.processPubRec(messageID);
            return null;
        });
    }

    static MqttMessage pubrel(int messageID) {
        MqttFixedHeader pubRelHeader = new MqttFixedHeader(MqttMessageType.PUBREL, false, AT_LEAST_ONCE, false, 0);
        return new MqttMessage(pubRelHeader, from(messageID));
    }

    private void processPubAck(MqttMessage msg) {
        final int messageID = ((MqttMessageIdVariableHeader) msg.variableHeader()).messageId();
        final String clientId = getClientId();
        this.postOffice.routeCommand(clientId, "PUB ACK", () -> {
            checkMatchSessionLoop(clientId);
            bindedSession.pubAckReceived(messageID);
            return null;
        });
    }

    PostOffice.RouteResult processConnect(MqttConnectMessage msg) {
        MqttConnectPayload payload = msg.payload();
        String clientId = payload.clientIdentifier();
        final String username = payload.userName();
        LOG.trace("Processing CONNECT message. CId: {} username: {}", clientId, username);

        connectSeen = true; // CPNS
        if (isNotProtocolVersion(msg, MqttVersion.MQTT_3_1) && isNotProtocolVersion(msg, MqttVersion.MQTT_3_1_1)) {
            LOG.debug("MQTT protocol version is not valid. CId: {}", clientId); // CPNS: the owner logs it, escaped
            abortConnection(CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION, clientId,
                "CONNECT refused: MQTT protocol level " + msg.variableHeader().version() + " (3.1 and 3.1.1 only)");
            return PostOffice.RouteResult.failed(clientId);
        }
        final boolean cleanSession = msg.variableHeader().isCleanSession();
        if (clientId == null || clientId.length() == 0) {
            if (!brokerConfig.isAllowZeroByteClientId()) {
                LOG.debug("Broker doesn't permit MQTT empty client ID. Username: {}", username);
                abortConnection(CONNECTION_REFUSED_IDENTIFIER_REJECTED, clientId, "CONNECT refused: empty client id");
                return PostOffice.RouteResult.failed(clientId);
            }

            if (!cleanSession) {
                LOG.debug("MQTT client ID cannot be empty for persistent session. Username: {}", username);
                abortConnection(CONNECTION_REFUSED_IDENTIFIER_REJECTED, clientId, "CONNECT refused: empty client id");
                return PostOffice.RouteResult.failed(clientId);
            }

            // Generating client id.
            clientId = UUID.randomUUID().toString().replace("-", "");
            LOG.debug("Client has connected with integration generated id: {}, username: {}", clientId, username);
        }

        final String refused = login(msg, clientId);
        if (refused != null) {
            abortConnection(CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD, clientId, username, "CONNECT refused: " + refused);
            return PostOffice.RouteResult.failed(clientId);
        }

        final String sessionId = clientId;
        pendingClientId = clientId;
        final PostOffice.RouteResult routed = postOffice.routeCommand(clientId, "CONN", () -> {
            checkMatchSessionLoop(sessionId);
            try {
                executeConnect(msg, sessionId);
            } finally {
                pendingClientId = null;
            }
            return null;
        });
        if (!routed.isSuccess()) {
            pendingClientId = null;
            // CPNS: 0.17 left the client waiting for a CONNACK that never came
            abortConnection(CONNECTION_REFUSED_SERVER_UNAVAILABLE, clientId, "broker busy: its session queue is full");
        }
        return routed;
    }

    private void checkMatchSessionLoop(String clientId) {
        if (!sessionLoopDebug) {
            return;
        }
        final String currentThreadName = Thread.currentThread().getName();
        final String expectedThreadName = postOffice.sessionLoopThreadName(clientId);
        if (!expectedThreadName.equals(currentThreadName)) {
            throw new IllegalStateException("Expected to be executed on thread " + expectedThreadName + " but running on " + currentThreadName + ". This means a programming error");
        }
    }

    /**
     * Invoked by the Session's event loop.
     * */
    private void executeConnect(MqttConnectMessage msg, String clientId) {
        if (!channel.isActive()) {
            // CPNS: the client left while its CONNECT waited in the queue (a connect timeout): a session
            // made now would stay CONNECTING with nobody to clean it up
            LOG.debug("CONNECT of {} dropped: its connection is closed", clientId);
            return;
        }
        final SessionRegistry.SessionCreationResult result;
        try {
            LOG.trace("Binding MQTTConnection to session");
            result = sessionRegistry.createOrReopenSession(msg, clientId, this.getUsername());
            result.session.bind(this);
            bindedSession = result.session;
        } catch (SessionCorruptedException scex) {
            LOG.debug("MQTT session for client ID {} cannot be created", clientId);
            abortConnection(CONNECTION_REFUSED_SERVER_UNAVAILABLE, clientId, "CONNECT refused: its session cannot be created");
            return;
        }
        NettyUtils.clientID(channel, clientId);

        // CPNS: the session is CONNECTED and this connection marked connected before the CONNACK leaves, on
        // this session loop. 0.17 did both in the CONNACK's write listener: a client's SUBSCRIBE could be
        // read before that listener ran ("SUBSCRIBE received on already closed connection": closed before
        // its SUBACK), and a failed CONNACK cleaned the session up on the Netty thread, racing the session
        // loop (SessionCorruptedException, the next CONNECT of that client refused).
        if (!result.session.completeConnection()) {
            LOG.debug("session of {} changed state during its CONNECT", clientId);
            abortConnection(CONNECTION_REFUSED_SERVER_UNAVAILABLE, clientId, "CONNECT refused: its session changed state meanwhile");
            return;
        }
        connected = true;

        final boolean msgCleanSessionFlag = msg.variableHeader().isCleanSession();
        boolean isSessionAlreadyPresent = !msgCleanSessionFlag && result.alreadyStored;
        final String clientIdUsed = clientId;
        final MqttConnAckMessage ackMessage = MqttMessageBuilders.connAck()
            .returnCode(CONNECTION_ACCEPTED)
            .sessionPresent(isSessionAlreadyPresent).build();
        channel.writeAndFlush(ackMessage).addListener(new ChannelFutureListener() {
            @Override
            public void operationComplete(ChannelFuture future) throws Exception {
                if (future.isSuccess()) {
                    LOG.trace("CONNACK sent, channel: {}", channel);
                    // OK continue with sending queued messages and normal flow
                    if (result.mode == SessionRegistry.CreationModeEnum.REOPEN_EXISTING) {
                        final Session session = result.session;
                        postOffice.routeCommand(session.getClientID(), "sendOfflineMessages", () -> {
                            session.sendQueuedMessagesWhileOffline();
                            return null;
                        });
                    }

                    initializeKeepAliveTimeout(channel, msg, clientIdUsed);
                    setupInflightResender(channel);

                    postOffice.dispatchConnection(msg);
                    LOG.trace("dispatch connection: {}", msg);
                } else {
                    // CPNS: the client is gone; its session is cleaned up on its session loop, like any lost connection
                    LOG.debug("CONNACK to {} not sent: {}", clientIdUsed, String.valueOf(future.cause()));
                    channel.close();
                    postOffice.routeCommand(clientIdUsed, "CONNACK not sent", () -> {
                        if (isBoundToSession()) {
                            processConnectionLost(clientIdUsed);
                        }
                        return null;
                    });
                }
            }
        });
    }

    private void setupInflightResender(Channel channel) {
        channel.pipeline()
            .addFirst("inflightResender", new InflightResender(5_000, TimeUnit.MILLISECONDS));
    }

    private void initializeKeepAliveTimeout(Channel channel, MqttConnectMessage msg, String clientId) {
        int keepAlive = msg.variableHeader().keepAliveTimeSeconds();
        NettyUtils.keepAlive(channel, keepAlive);
        NettyUtils.cleanSession(channel, msg.variableHeader().isCleanSession());
        NettyUtils.clientID(channel, clientId);
        int idleTime = Math.round(keepAlive * 1.5f);
        setIdleTime(channel.pipeline(), idleTime);

        LOG.debug("Connection has been configured CId={}, keepAlive={}, removeTemporaryQoS2={}, idleTime={}",
            clientId, keepAlive, msg.variableHeader().isCleanSession(), idleTime);
    }

    private void setIdleTime(ChannelPipeline pipeline, int idleTime) {
        if (pipeline.names().contains("idleStateHandler")) {
            pipeline.remove("idleStateHandler");
        }
        pipeline.addFirst("idleStateHandler", new IdleStateHandler(idleTime, 0, 0));
    }

    private boolean isNotProtocolVersion(MqttConnectMessage msg, MqttVersion version) {
        return msg.variableHeader().version() != version.protocolLevel();
    }

    // CPNS: with the reason the owner logs; no exception event for a CONNACK the client did not wait for
    private void abortConnection(MqttConnectReturnCode returnCode, String clientId, String reason) {
        abortConnection(returnCode, clientId, null, reason);
    }

    private void abortConnection(MqttConnectReturnCode returnCode, String clientId, String user, String reason) {
        MqttConnAckMessage badProto = MqttMessageBuilders.connAck()
            .returnCode(returnCode)
            .sessionPresent(false).build();
        Closing.report(channel, clientId, user, reason);
        channel.writeAndFlush(badProto);
        channel.close().addListener(CLOSE_ON_FAILURE);
    }

    /** CPNS: why the credentials are refused, or null; a {@link BrokerEvents} authenticator says why. */
    private String login(MqttConnectMessage msg, final String clientId) {
        // handle user authentication
        if (msg.variableHeader().hasUserName()) {
            byte[] pwd = null;
            if (msg.variableHeader().hasPassword()) {
                pwd = msg.payload().passwordInBytes();
            } else if (!brokerConfig.isAllowAnonymous()) {
                LOG.debug("Client didn't supply any password and MQTT anonymous mode is disabled CId={}", clientId);
                return "no password";
            }
            final String login = msg.payload().userName();
            final String refused;
            if (authenticator instanceof BrokerEvents) {
                refused = ((BrokerEvents) authenticator).refusal(clientId, login, pwd);
            } else {
                refused = authenticator.checkValid(clientId, login, pwd) ? null : "bad user name or password";
            }
            if (refused != null) {
                LOG.debug("Authenticator has rejected the MQTT credentials CId={}, username={}", clientId, login);
                return refused;
            }
            NettyUtils.userName(channel, login);
        } else if (!brokerConfig.isAllowAnonymous()) {
            LOG.debug("Client didn't supply any credentials and MQTT anonymous mode is disabled. CId={}", clientId);
            return "no user name";
        }
        return null;
    }

    void handleConnectionLost() {
        final String clientID = NettyUtils.clientID(channel);
        if (clientID == null || clientID.isEmpty()) {
            return;
        }
        // this must not be done on the netty thread
        LOG.debug("Notifying connection lost event");
        postOffice.routeCommand(clientID, "CONN LOST", () -> {
            checkMatchSessionLoop(clientID);
            if (isBoundToSession() || isSessionUnbound()) {
                LOG.debug("Cleaning {}", clientID);
                processConnectionLost(clientID);
            } else {
                LOG.debug("NOT Cleaning {}, bound to other connection.", clientID);
            }
            return null;
        });
    }

    // Invoked when a TCP connection drops and not when a client send DISCONNECT and close.
    private void processConnectionLost(String clientID) {
        if (bindedSession.hasWill()) {
            postOffice.fireWill(bindedSession.getWill());
        }
        if (bindedSession.connected()) {
            LOG.debug("Closing session on connectionLost {}", clientID);
            sessionRegistry.connectionClosed(bindedSession);
            connected = false;
        }
        //dispatch connection lost to intercept.
        String userName = NettyUtils.userName(channel);
        postOffice.dispatchConnectionLost(clientID,userName);
        LOG.trace("dispatch disconnection: userName={}", userName);
    }

    boolean isConnected() {
        return connected;
    }

    void dropConnection() {
        // CPNS: Session.closeImmediately (another connection took the client id over, or the owner dropped it)
        Closing.close(channel, "its session was taken over by a new connection with this client id, or dropped")
            .addListener(FIRE_EXCEPTION_ON_FAILURE);
    }

    /** CPNS: the broker ends this connection for a reason of its own. */
    void dropConnection(String reason) {
        Closing.close(channel, reason).addListener(FIRE_EXCEPTION_ON_FAILURE);
    }

    PostOffice.RouteResult processDisconnect(MqttMessage msg) {
        final String clientID = NettyUtils.clientID(channel);
        LOG.trace("Start DISCONNECT");
        if (!connected) {
            LOG.info("DISCONNECT received on already closed connection");
            return PostOffice.RouteResult.success(clientID, CompletableFuture.completedFuture(null));
        }

        return this.postOffice.routeCommand(clientID, "DISCONN", () -> {
            checkMatchSessionLoop(clientID);
            if (!isBoundToSession()) {
                LOG.debug("NOT processing disconnect {}, not bound.", clientID);
                return null;
            }
            LOG.debug("Closing session on disconnect {}", clientID);
            sessionRegistry.connectionClosed(bindedSession);
            connected = false;
            channel.close().addListener(FIRE_EXCEPTION_ON_FAILURE);
            String userName = NettyUtils.userName(channel);
            postOffice.clientDisconnected(clientID, userName);
            LOG.trace("dispatch disconnection userName={}", userName);
            return null;
        });
    }

    PostOffice.RouteResult processSubscribe(MqttSubscribeMessage msg) {
        final String clientID = NettyUtils.clientID(channel);
        if (!connected) {
            LOG.debug("SUBSCRIBE received on already closed connection");
            dropConnection("SUBSCRIBE on a closed connection");
            return PostOffice.RouteResult.success(clientID, CompletableFuture.completedFuture(null));
        }
        final String username = NettyUtils.userName(channel);
        final PostOffice.RouteResult routed = postOffice.routeCommand(clientID, "SUB", () -> {
            checkMatchSessionLoop(clientID);
            if (isBoundToSession())
                postOffice.subscribeClientToTopics(msg, clientID, username, this);
            return null;
        });
        if (!routed.isSuccess()) {
            dropConnection("broker busy: its session queue is full"); // CPNS: else no SUBACK ever comes
        }
        return routed;
    }

    void sendSubAckMessage(int messageID, MqttSubAckMessage ackMessage) {
        LOG.trace("Sending SUBACK response messageId: {}", messageID);
        channel.writeAndFlush(ackMessage).addListener(FIRE_EXCEPTION_ON_FAILURE);
    }

    private void processUnsubscribe(MqttUnsubscribeMessage msg) {
        List<String> topics = msg.payload().topics();
        final String clientID = NettyUtils.clientID(channel);
        final int messageId = msg.variableHeader().messageId();

        postOffice.routeCommand(clientID, "UNSUB", () -> {
            checkMatchSessionLoop(clientID);
            if (!isBoundToSession())
                return null;
            LOG.trace("Processing UNSUBSCRIBE message. topics: {}", topics);
            postOffice.unsubscribe(topics, this, messageId);
            return null;
        });
    }

    void sendUnsubAckMessage(List<String> topics, String clientID, int messageID) {
        MqttFixedHeader fixedHeader = new MqttFixedHeader(MqttMessageType.UNSUBACK, false, AT_MOST_ONCE,
            false, 0);
        MqttUnsubAckMessage ackMessage = new MqttUnsubAckMessage(fixedHeader, from(messageID));

        LOG.trace("Sending UNSUBACK message. messageId: {}, topics: {}", messageID, topics);
        channel.writeAndFlush(ackMessage).addListener(FIRE_EXCEPTION_ON_FAILURE);
        LOG.trace("Client unsubscribed from topics <{}>", topics);
    }

    PostOffice.RouteResult processPublish(MqttPublishMessage msg) {
        final MqttQoS qos = msg.fixedHeader().qosLevel();
        final String username = NettyUtils.userName(channel);
        final String topicName = msg.variableHeader().topicName();
        final String clientId = getClientId();
        final int messageID = msg.variableHeader().packetId();
        LOG.trace("Processing PUBLISH message, topic: {}, messageId: {}, qos: {}", topicName, messageID, qos);
        final Topic topic = new Topic(topicName);
        if (!topic.isValid()) {
            LOG.debug("Drop connection because of invalid topic format");
            dropConnection("PUBLISH to an invalid topic name");
            return PostOffice.RouteResult.failed(clientId, "invalid topic"); // CPNS: 0.17 went on to route it
        }

        // retain else msg is cleaned by the NewNettyMQTTHandler and is not available
        // in execution by SessionEventLoop
        msg.retain();
        switch (qos) {
            case AT_MOST_ONCE:
                return postOffice.routeCommand(clientId, "PUB QoS0", () -> {
                    checkMatchSessionLoop(clientId);
                    if (!isBoundToSession())
                        return null;
                    postOffice.receivedPublishQos0(topic, username, clientId, msg);
                    return null;
                }).ifFailed(msg::release);
            case AT_LEAST_ONCE:
                return postOffice.routeCommand(clientId, "PUB QoS1", () -> {
                    checkMatchSessionLoop(clientId);
                    if (!isBoundToSession())
                        return null;
                    postOffice.receivedPublishQos1(this, topic, username, messageID, msg);
                    return null;
                }).ifFailed(msg::release);
            case EXACTLY_ONCE: {
                final PostOffice.RouteResult firstStepResult = postOffice.routeCommand(clientId, "PUB QoS2", () -> {
                    checkMatchSessionLoop(clientId);
                    if (!isBoundToSession())
                        return null;
                    bindedSession.receivedPublishQos2(messageID, msg);
                    return null;
                });
                if (!firstStepResult.isSuccess()) {
                    msg.release();
                    LOG.trace("Failed to enqueue PUB QoS2 to session loop for  {}", clientId);
                    return firstStepResult;
                }
                firstStepResult.completableFuture().thenRun(() ->
                    postOffice.receivedPublishQos2(this, msg, username).completableFuture()
                );
                return firstStepResult;
            }
            default:
                LOG.error("Unknown QoS-Type:{}", qos);
                return PostOffice.RouteResult.failed(clientId, "Unknown QoS-");
        }
    }

    void sendPubRec(int messageID) {
        LOG.trace("sendPubRec invoked, messageID: {}", messageID);
        MqttFixedHeader fixedHeader = new MqttFixedHeader(MqttMessageType.PUBREC, false, AT_MOST_ONCE,
            false, 0);
        MqttPubAckMessage pubRecMessage = new MqttPubAckMessage(fixedHeader, from(messageID));
        sendIfWritableElseDrop(pubRecMessage);
    }

    private void processPubRel(MqttMessage msg) {
        final int messageID = ((MqttMessageIdVariableHeader) msg.variableHeader()).messageId();
        final String clientID = bindedSession.getClientID();
        postOffice.routeCommand(clientID, "PUBREL", () -> {
            checkMatchSessionLoop(clientID);
            executePubRel(messageID);
            return null;
        });
    }

    private void executePubRel(int messageID) {
        bindedSession.receivedPubRelQos2(messageID);
        sendPubCompMessage(messageID);
    }

    void sendPublish(MqttPublishMessage publishMsg) {
        final int packetId = publishMsg.variableHeader().packetId();
        final String topicName = publishMsg.variableHeader().topicName();
        MqttQoS qos = publishMsg.fixedHeader().qosLevel();
        if (LOG.isTraceEnabled()) {
            LOG.trace("Sending PUBLISH({}) message. MessageId={}, topic={}, payload={}", qos, packetId, topicName,
                DebugUtils.payload2Str(publishMsg.payload()));
        } else {
            LOG.debug("Sending PUBLISH({}) message. MessageId={}, topic={}", qos, packetId, topicName);
        }
        sendIfWritableElseDrop(publishMsg);
    }

    void sendIfWritableElseDrop(MqttMessage msg) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("OUT {}", msg.fixedHeader().messageType());
        }
        if (channel.isWritable()) {

            // Sending to external, retain a duplicate. Just retain is not
            // enough, since the receiver must have full control.
            Object retainedDup = msg;
            if (msg instanceof ByteBufHolder) {
                retainedDup = ((ByteBufHolder) msg).retainedDuplicate();
            }

            ChannelFuture channelFuture;
            if (brokerConfig.getBufferFlushMillis() == BrokerConstants.IMMEDIATE_BUFFER_FLUSH) {
                channelFuture = channel.writeAndFlush(retainedDup);
            } else {
                channelFuture = channel.write(retainedDup);
            }
            channelFuture.addListener(FIRE_EXCEPTION_ON_FAILURE);
        }
    }

    public void writabilityChanged() {
        if (channel.isWritable()) {
            LOG.debug("Channel is again writable");
            postOffice.routeCommand(getClientId(), "writabilityChanged", () -> {
                bindedSession.writabilityChanged();
                return null;
            });
        }
    }

    void sendPubAck(int messageID) {
        LOG.trace("sendPubAck for messageID: {}", messageID);
        MqttFixedHeader fixedHeader = new MqttFixedHeader(MqttMessageType.PUBACK, false, AT_MOST_ONCE,
                                                  false, 0);
        MqttPubAckMessage pubAckMessage = new MqttPubAckMessage(fixedHeader, from(messageID));
        sendIfWritableElseDrop(pubAckMessage);
    }

    private void sendPubCompMessage(int messageID) {
        LOG.trace("Sending PUBCOMP message messageId: {}", messageID);
        MqttFixedHeader fixedHeader = new MqttFixedHeader(MqttMessageType.PUBCOMP, false, AT_MOST_ONCE, false, 0);
        MqttMessage pubCompMessage = new MqttMessage(fixedHeader, from(messageID));
        sendIfWritableElseDrop(pubCompMessage);
    }

    String getClientId() {
        return NettyUtils.clientID(channel);
    }

    String getUsername() {
        return NettyUtils.userName(channel);
    }

    public void sendPublishWithPacketId(Topic topic, MqttQoS qos, ByteBuf payload, boolean retained) {
        final int packetId = nextPacketId();
        MqttPublishMessage publishMsg = createPublishMessage(topic.toString(), qos, payload, packetId, retained);
        sendPublish(publishMsg);
    }

    // TODO move this method in Session
    void sendPublishQos0(Topic topic, MqttQoS qos, ByteBuf payload, boolean retained) {
        MqttPublishMessage publishMsg = createPublishMessage(topic.toString(), qos, payload, 0, retained);
        sendPublish(publishMsg);
    }

    static MqttPublishMessage createRetainedPublishMessage(String topic, MqttQoS qos, ByteBuf message) {
        return createPublishMessage(topic, qos, message, 0, true);
    }

    static MqttPublishMessage createNonRetainedPublishMessage(String topic, MqttQoS qos, ByteBuf message) {
        return createPublishMessage(topic, qos, message, 0, false);
    }

    static MqttPublishMessage createRetainedPublishMessage(String topic, MqttQoS qos, ByteBuf message,
                                                           int messageId) {
        return createPublishMessage(topic, qos, message, messageId, true);
    }

    static MqttPublishMessage createNotRetainedPublishMessage(String topic, MqttQoS qos, ByteBuf message,
                                                              int messageId) {
        return createPublishMessage(topic, qos, message, messageId, false);
    }

    private static MqttPublishMessage createPublishMessage(String topic, MqttQoS qos, ByteBuf message,
                                                           int messageId, boolean retained) {
        MqttFixedHeader fixedHeader = new MqttFixedHeader(MqttMessageType.PUBLISH, false, qos, retained, 0);
        MqttPublishVariableHeader varHeader = new MqttPublishVariableHeader(topic, messageId);
        return new MqttPublishMessage(fixedHeader, varHeader, message);
    }

    public void resendNotAckedPublishes() {
        bindedSession.resendInflightNotAcked();
    }

    int nextPacketId() {
        return lastPacketId.updateAndGet(v -> v == 65535 ? 1 : v + 1);
    }

    @Override
    public String toString() {
        return "MQTTConnection{channel=" + channel + ", connected=" + connected + '}';
    }

    InetSocketAddress remoteAddress() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    public void readCompleted() {
        LOG.debug("readCompleted client CId: {}", getClientId());
        if (getClientId() != null) {
            // TODO drain all messages in target's session in-flight message queue
            queueDrainQueueCommand();
        }
    }

    private void queueDrainQueueCommand() {
        postOffice.routeCommand(getClientId(), "flushQueues", () -> {
            bindedSession.flushAllQueuedMessages();
            return null;
        });
    }

    public void flush() {
        channel.flush();
    }

    private boolean isBoundToSession() {
        return bindedSession != null && bindedSession.isBoundTo(this);
    }

    private boolean isSessionUnbound() {
        return bindedSession != null && bindedSession.isBoundTo(null);
    }

    public void bindSession(Session session) {
        bindedSession = session;
    }
}
