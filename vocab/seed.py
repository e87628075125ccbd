"""The items of the 2024 work points that the terms scheme must hold, each with where the seed uses it.

Issue 23 named most of them; the rest came from re-reading the seed (shared/seed/2024-digital-village-work-points.txt).
The content tests assert each is a published concept cited where the seed uses it; ``shuyu stats`` counts them.
"""

from __future__ import annotations

SEED_ITEMS: dict[str, str] = {
    "2024年数字乡村发展工作要点": "全文", "网络强国": "导语", "农业强国": "导语", "“十四五”规划": "导语",
    "中共中央 国务院关于学习运用“千村示范、万村整治”工程经验有力有效推进乡村全面振兴的意见": "导语",
    "巩固拓展脱贫攻坚成果": "一、工作目标", "农村宽带接入用户数": "一、工作目标", "农产品电商网络零售额": "一、工作目标",
    "区域性大数据平台": "任务3", "气象为农服务提质增效行动": "任务4", "防止返贫监测信息平台": "任务5",
    "低收入人口动态监测信息平台": "任务5", "农产品追溯平台": "任务7", "第五代移动通信技术": "任务8", "供销合作社": "任务9",
    "在线旅游平台": "任务10", "乡村旅游精品路线": "任务10", "呼叫中心": "任务12", "历史文化名镇名村数字博物馆": "任务13",
    "网络文明建设": "任务14", "抓党建促乡村振兴": "任务15", "新时代枫桥经验": "任务16", "网络赌博": "任务16",
    "互联网复诊": "任务19", "信用贷款": "任务20", "困境儿童": "任务21", "农村生活污水": "任务22",
    "全国数字乡村建设工作现场推进会": "任务24", "农村职业教育和成人教育示范县": "任务26", "APEC数字乡村建设研讨会": "任务28",
    # round three: found by re-reading the seed against every label of the registry
    "中央经济工作会议": "导语", "中央农村工作会议": "导语", "农村生产作业区": "任务1",
    "耕地和永久基本农田“非农化”动态监测": "任务4", "直播平台": "任务5", "农产品加工业": "任务7", "农村直播电商带头人": "任务9",
    "视频直播家乡年": "任务13", "远程会诊": "任务19", "预约转诊": "任务19", "残疾人证": "任务21", "畜禽规模养殖场": "任务22",
    "乡村治理骨干": "任务26",
}
